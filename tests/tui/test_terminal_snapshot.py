"""Snapshots of the states issue 11 fixed, at 120x40 and 80x24: the chat after a tab switch (lines that
arrived on the PRD tab wrap at the chat's width), after a resize from 120 to 80 columns, and the code view
scrolled to the end of a long line."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, TabbedContent, TextArea

from tests.tui import harness
from tests.tui.harness import PRD, SIZES, FakeClient, HostApp, ScriptedSocket, make_job, wait_for
from tui.screens.app_detail import AppDetailScreen
from tui.screens.live_build import LiveBuildScreen
from tui.services import ChatEvent, ConnectionEvent
from tui.widgets.chat_log import ChatLog

LONG_QUESTION = ("Which features matter most? For example: due dates with reminders, recurring tasks, tags "
                 "and filters, a calendar view, sharing a list with the family, a dark mode, and an export "
                 "to CSV or to the calendar app you already use.")
LONG_ANSWER = ("Due dates with reminders first, then recurring tasks and tags; a calendar view would be "
               "nice but it can wait until the basics feel right on my laptop and my phone.")

pytestmark = pytest.mark.usefixtures("utc")


def chat_app() -> tuple[HostApp, ScriptedSocket]:
    return harness.scripted_live_build(make_job("collecting", prd=PRD))


async def chatting(pilot: Any, socket: ScriptedSocket) -> LiveBuildScreen:
    screen = await harness.live_build_started(pilot)
    socket.push(ConnectionEvent(state="live"),
                ChatEvent(message_id=1, job_id=7, role="agent", text="Who will use this app?"),
                ChatEvent(message_id=2, job_id=7, role="user", text="Just me, on my laptop and my phone."))
    await wait_for(pilot, lambda: len(screen.query_one(ChatLog).entries) == 2
                   and screen.query_one("#chat-input", Input).has_focus, what="first lines, input focused")
    return screen


async def still(pilot: Any, screen: LiveBuildScreen) -> None:
    log = screen.query_one(ChatLog)
    await wait_for(pilot, lambda: log.wrap_width == log.text_width > 0 and log.is_vertical_scroll_end,
                   what="transcript wrapped for its width and at its end")
    for box in screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_chat_after_tab_switch(snap_compare: Any, size: tuple[int, int]) -> None:
    app, socket = chat_app()

    async def switched(pilot: Any) -> None:
        screen = await chatting(pilot, socket)
        tabs = screen.query_one(TabbedContent)
        await pilot.press("2")
        await wait_for(pilot, lambda: tabs.active == "tab-prd", what="PRD tab")
        socket.push(ChatEvent(message_id=3, job_id=7, role="agent", text=LONG_QUESTION),
                    ChatEvent(message_id=4, job_id=7, role="user", text=LONG_ANSWER))
        await wait_for(pilot, lambda: len(screen.query_one(ChatLog).entries) == 4, what="lines while hidden")
        await pilot.press("1")
        await wait_for(pilot, lambda: tabs.active == "tab-chat"
                       and screen.query_one("#chat-input", Input).has_focus, what="chat tab, input focused")
        await still(pilot, screen)

    assert snap_compare(app, terminal_size=size, run_before=switched)


def test_snapshot_chat_after_resize_to_80(snap_compare: Any) -> None:
    app, socket = chat_app()

    async def resized(pilot: Any) -> None:
        screen = await chatting(pilot, socket)
        socket.push(ChatEvent(message_id=3, job_id=7, role="agent", text=LONG_QUESTION))
        await wait_for(pilot, lambda: len(screen.query_one(ChatLog).entries) == 3, what="long line")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: 0 < screen.query_one(ChatLog).text_width < 80, what="80 columns")
        await still(pilot, screen)

    assert snap_compare(app, terminal_size=(120, 40), run_before=resized)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_code_view_long_line_scrolled(snap_compare: Any, size: tuple[int, int]) -> None:
    """Item 5: a long line of code is read in full by scrolling sideways; the file header stays."""

    async def scrolled(pilot: Any) -> None:
        screen = pilot.app.screen
        await wait_for(pilot, lambda: getattr(screen, "state", "") == "ready", what="app detail loaded")
        await pilot.press("down", "down")  # backend/app.py
        code = screen.query_one("#code", TextArea)
        await wait_for(pilot, lambda: "(END)" in code.text,
                       what="the file with the long line shown")
        code.focus()
        code.move_cursor((7, 0))
        await pilot.press("end")
        await wait_for(pilot, lambda: code.scroll_x > 0, what="scrolled sideways to the end of the line")
        code.cursor_blink = False
        await pilot.pause()

    assert snap_compare(HostApp(lambda: AppDetailScreen(3), FakeClient()), terminal_size=size,
                        run_before=scrolled)
