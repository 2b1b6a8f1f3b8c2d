"""Live build screen reactions to socket events (scripted socket, no server): offline-only behaviours."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tests.tui.harness import FakeClient, HostApp, ScriptedSocket, make_job, wait_for
from tui.screens.live_build import LiveBuildScreen
from tui.screens.prompt_editor import PromptEditorScreen
from tui.services import (
    AuthRequired,
    ChatEvent,
    ChatQueued,
    Conflict,
    ConnectionEvent,
    ErrorEvent,
    Event,
    JobGoneEvent,
    WarningEvent,
)
from tui.widgets.chat_log import ChatLog


def scripted(dev_mode: bool = False) -> tuple[HostApp, ScriptedSocket]:
    socket = ScriptedSocket()
    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket),
                  FakeClient(make_job("collecting")), dev_mode=dev_mode)
    return app, socket


async def started(pilot: Any) -> LiveBuildScreen:
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.status == "collecting" and screen.socket is not None, what="started")
    return screen


async def test_queued_chat_is_pending_until_delivered() -> None:
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(pilot)
        log = screen.query_one(ChatLog)
        socket.push(ConnectionEvent(state="reconnecting", attempt=2), ChatQueued(text="are you there?"))
        await wait_for(pilot, lambda: log.pending_count == 1, what="pending chat")
        assert app.connection_state == "reconnecting"
        assert "reconnecting" in str(screen.query_one("#conn-state", Static).render())
        socket.push(ConnectionEvent(state="live"), ChatEvent(message_id=9, job_id=7, role="user",
                                                             text="are you there?"))
        await wait_for(pilot, lambda: log.pending_count == 0 and len(log.entries) == 1, what="delivered")
        assert app.connection_state == "live"


async def test_enter_sends_through_the_socket_and_clears_input() -> None:
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(pilot)
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: socket.sent == ["hello"], what="sent")
        assert screen.query_one("#chat-input", Input).value == ""


async def test_errors_warnings_and_job_gone() -> None:
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(pilot)
        socket.push(ErrorEvent(message_id=None, job_id=7, code="not_collecting", text="Chat is closed."),
                    WarningEvent(text="unknown frame", raw="{}"))
        await wait_for(pilot, lambda: len(app._notifications) >= 2, what="notifications")
        socket.push(JobGoneEvent(job_id=7))
        socket.end()
        await wait_for(pilot, lambda: screen.gone, what="gone")
        assert screen.query_one("#chat-input", Input).disabled
        assert app.connection_state == "offline"
        await pilot.press("escape", "g")
        assert any("deleted" in n.message for n in app._notifications)


async def test_dev_bindings_hidden_without_dev_mode() -> None:
    app, _socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await started(pilot)
        assert not screen.check_action("delete_message", ())
        assert not screen.query("#tab-messages")


class FailingSocket(ScriptedSocket):
    async def __aiter__(self) -> AsyncIterator[Event]:
        yield ChatEvent(message_id=1, job_id=7, role="agent", text="first question")
        raise AuthRequired()


async def test_stream_resumes_after_login_from_last_seen_id() -> None:
    calls: list[int] = []
    second = ScriptedSocket()

    def factory(_client: Any, _job: int, last_seen: int) -> ScriptedSocket:
        calls.append(last_seen)
        return FailingSocket() if len(calls) == 1 else second

    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=factory), FakeClient(make_job("collecting")))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.socket_failed, what="socket failed")
        assert app.connection_state == "offline"
        await pilot.press(*"typed before login")
        app.push_screen(ModalScreen())  # stands for the login screen the app shows on AuthRequired
        await pilot.pause()
        app.pop_screen()
        await wait_for(pilot, lambda: calls == [0, 1], what="resumed")
        assert screen.query_one("#chat-input", Input).value == "typed before login"
        second.push(ChatEvent(message_id=2, job_id=7, role="agent", text="second question"))
        await wait_for(pilot, lambda: len(screen.query_one(ChatLog).entries) == 2, what="second message")


async def test_prompt_editor_keeps_text_when_save_fails() -> None:
    attempts: list[str] = []

    async def save(text: str) -> None:
        attempts.append(text)
        if len(attempts) == 1:
            raise Conflict("The prompt can only be edited while the job is collecting requirements.")

    app = HostApp(lambda: PromptEditorScreen("old prompt", save), FakeClient())
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.screen
        await pilot.press(*" plus more", "ctrl+s")
        await wait_for(pilot, lambda: attempts, what="first save")
        await pilot.pause()
        assert app.screen is editor and editor.text == "old prompt plus more"
        assert any("collecting requirements" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not editor, what="dismissed")
        assert attempts == ["old prompt plus more"] * 2
