"""Issue 11 item 11: the dev Messages tab shows each message's time, and the highlighted message whole
(wrapped to the pane's width, scrollable) in a pane under the table."""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from tests.tui import harness
from tests.tui.harness import SIZES, T0, HostApp, ScriptedSocket, make_job, wait_for
from tui.screens.live_build import LiveBuildScreen
from tui.services import ChatEvent, ConnectionEvent, StepEvent
from tui.widgets.message_table import MessageTable

pytestmark = pytest.mark.usefixtures("utc")

LONG = ("Due dates with reminders first, then recurring tasks and tags; a calendar view would be nice but it "
        "can wait until the basics feel right on my laptop and my phone. ") * 6 + "(end of the answer)"


def dev_app() -> tuple[HostApp, ScriptedSocket]:
    return harness.scripted_live_build(make_job("collecting"), dev_mode=True)


async def on_messages_tab(pilot: Any, socket: ScriptedSocket) -> LiveBuildScreen:
    screen = await harness.live_build_started(pilot)
    socket.push(ConnectionEvent(state="live"),
                ChatEvent(message_id=1, job_id=7, role="agent", text="Who will use this app?", created_at=T0),
                ChatEvent(message_id=2, job_id=7, role="user", text=LONG, created_at=T0),
                StepEvent(message_id=3, job_id=7, stage="planning", stage_status="running", progress=10,
                          text="Planning the app"))
    table = screen.query_one(MessageTable)
    await wait_for(pilot, lambda: table.row_count == 3, what="three message rows")
    await pilot.press("escape", "3")
    await wait_for(pilot, lambda: table.has_focus, what="the messages table focused")
    return screen


def detail_text(screen: LiveBuildScreen) -> str:
    return str(screen.query_one("#message-content", Static).render())


async def test_detail_pane_shows_the_highlighted_message_whole_and_wrapped() -> None:
    app, socket = dev_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_messages_tab(pilot, socket)
        moment = T0.astimezone().strftime("%H:%M:%S")
        await wait_for(pilot, lambda: "Who will use this app?" in detail_text(screen), what="first row shown")
        assert f"#1 · {moment} · chat · agent" in detail_text(screen)
        await pilot.press("down")
        await wait_for(pilot, lambda: "(end of the answer)" in detail_text(screen), what="the long answer")
        assert LONG in detail_text(screen).replace("\n", "")  # whole, not the table's excerpt
        detail = screen.query_one("#message-detail", VerticalScroll)
        content = screen.query_one("#message-content", Static)
        await wait_for(pilot, lambda: content.size.height > len(LONG) // detail.size.width,
                       what="the answer wrapped over several rows of the pane")
        assert content.size.width <= detail.size.width
        assert detail.max_scroll_y > 0  # longer than the pane: it scrolls
        await pilot.press("tab")
        await wait_for(pilot, lambda: detail.has_focus, what="tab moves to the detail pane")
        await pilot.press("end")
        await wait_for(pilot, lambda: detail.scroll_y == detail.max_scroll_y,
                       what="the pane scrolled to its end")
        await pilot.press("shift+tab", "down")
        await wait_for(pilot, lambda: "Planning the app" in detail_text(screen) and detail.scroll_y == 0,
                       what="the step row shown from its top")
        screen.query_one(MessageTable).remove_message(3)
        screen.query_one("MessagesPane").show_selected()  # as delete_message does
        await wait_for(pilot, lambda: "(end of the answer)" in detail_text(screen),
                       what="the row above shown after a delete")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_messages_tab_detail(snap_compare: Any, size: tuple[int, int]) -> None:
    app, socket = dev_app()

    async def shown(pilot: Any) -> None:
        screen = await on_messages_tab(pilot, socket)
        await pilot.press("down")
        await wait_for(pilot, lambda: "(end of the answer)" in detail_text(screen), what="the long answer")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=shown)
