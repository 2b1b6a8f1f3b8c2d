"""Live build screen against the real reference server (real ApiClient, real JobSocket)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.screen import ModalScreen
from textual.widgets import Input, TextArea

from tests.support.live_server import LiveServer
from tests.tui.harness import HostApp, login, wait_for
from tui.messages import OpenApp
from tui.screens.add_message import AddMessageScreen
from tui.screens.live_build import LiveBuildScreen
from tui.screens.prompt_editor import PromptEditorScreen
from tui.services import NotFound
from tui.widgets.chat_log import ChatLog
from tui.widgets.message_table import MessageTable
from tui.widgets.stage_progress import StageProgress

SIZE = (120, 40)


def chat_texts(screen: LiveBuildScreen, role: str | None = None) -> list[str]:
    return [e.text for e in screen.query_one(ChatLog).entries if role is None or e.role == role]


def notifications(app: HostApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
async def client(live_server: LiveServer, fresh_user: dict, tmp_path: Path) -> Any:
    api = await login(live_server.url, tmp_path, fresh_user["username"], fresh_user["password"])
    yield api
    await api.aclose()


async def open_live(pilot: Any) -> LiveBuildScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LiveBuildScreen)
    await wait_for(pilot, lambda: screen.status == "collecting" and chat_texts(screen, "agent"),
                   what="first agent question")
    return screen


async def test_chat_gets_an_agent_answer(client: Any) -> None:
    job = await client.create_job("A todo app with due dates")
    app = HostApp(lambda: LiveBuildScreen(job.id), client)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_live(pilot)
        await wait_for(pilot, lambda: screen.connection == "live", what="socket live")
        assert app.connection_state == "live"
        chat_input = screen.query_one("#chat-input", Input)
        await wait_for(pilot, lambda: chat_input.has_focus, what="chat input focused")  # after a refresh
        assert not chat_input.disabled
        await pilot.press(*"Just me, on my laptop")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Just me, on my laptop" in chat_texts(screen, "user")
                       and len(chat_texts(screen, "agent")) >= 2, what="agent answer")
        assert chat_input.value == ""


async def test_edit_prompt_saves_on_server(client: Any) -> None:
    job = await client.create_job("A todo app")
    app = HostApp(lambda: LiveBuildScreen(job.id), client)
    async with app.run_test(size=SIZE) as pilot:
        await open_live(pilot)
        await pilot.press("escape", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptEditorScreen), what="prompt editor")
        assert app.screen.query_one(TextArea).text == "A todo app"
        await pilot.press(*" with dark mode")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveBuildScreen), what="editor closed")
    assert (await client.get_job(job.id)).initial_prompt == "A todo app with dark mode"


async def test_build_runs_to_done_and_opens_app(make_server: Any, tmp_path: Path) -> None:
    server = make_server(speed=0.02)
    server.register("builder", "pass-word-123")
    api = await login(server.url, tmp_path, "builder", "pass-word-123")
    try:
        job = await api.create_job("A weather board")
        app = HostApp(lambda: LiveBuildScreen(job.id), api)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_live(pilot)
            await pilot.press("escape", "g")
            await wait_for(pilot, lambda: screen.status in ("prd", "building", "done"), what="build started")
            assert screen.query_one("#chat-input", Input).disabled
            await wait_for(pilot, lambda: screen.status == "done" and screen.app_ready is not None,
                           timeout=60, what="build done")
            assert screen.query_one(StageProgress).all_done
            assert screen.prd
            await pilot.press("o")
            await wait_for(pilot, lambda: any(isinstance(m, OpenApp) for m in app.navigation), what="OpenApp")
            opened = [m for m in app.navigation if isinstance(m, OpenApp)][0]
            assert opened.app_id == (await api.get_job(job.id)).app_id
            # after the build the prompt is frozen: the binding explains why
            await pilot.press("e")
            await pilot.pause()
            assert not isinstance(app.screen, PromptEditorScreen)
            assert any("only be edited while the job is collecting" in n for n in notifications(app))
    finally:
        await api.aclose()


async def test_deleted_job_disables_inputs(client: Any) -> None:
    job = await client.create_job("Soon deleted")
    app = HostApp(lambda: LiveBuildScreen(job.id), client)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_live(pilot)
        await client.delete_job(job.id)
        await wait_for(pilot, lambda: screen.gone, what="job gone")
        assert screen.query_one("#chat-input", Input).disabled
        assert "This job was deleted." in chat_texts(screen, "system")


async def test_dev_mode_delete_and_add_message(client: Any) -> None:
    job = await client.create_job("A dev mode app")
    app = HostApp(lambda: LiveBuildScreen(job.id), client, dev_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_live(pilot)
        table = screen.query_one(MessageTable)
        await wait_for(pilot, lambda: table.row_count >= 1, what="messages in table")
        await pilot.press("escape", "3")
        assert table.has_focus
        target = table.selected_id()
        assert target is not None
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ModalScreen), what="confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: target not in table.message_ids, what="row removed")
        with pytest.raises(NotFound):
            await client.get_message(target)

        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, AddMessageScreen), what="add message modal")
        await pilot.press(*"hello from dev mode")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "hello from dev mode" in chat_texts(screen), what="added message")
        messages = await client.list_messages(job.id)
        assert any(m.content == "hello from dev mode" for m in messages)
