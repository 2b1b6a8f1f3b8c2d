"""The chat transcript wraps to the width it is shown at (issue 11, item 1) and the tab keys reach the tabs
from the chat input, the PRD scrolls with the keyboard (item 4). Scripted socket, no server."""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Input, TabbedContent

from tests.tui.harness import FakeClient, HostApp, ScriptedSocket, make_job, wait_for
from tui.screens.live_build import LiveBuildScreen
from tui.services import ChatEvent, ConnectionEvent, PrdEvent
from tui.widgets import chat_log
from tui.widgets.chat_log import ChatLog

LONG = " ".join(f"word{i:03d}" for i in range(60))  # 479 characters: wraps at every width
LONG_PRD = "# Plan\n\n" + "\n\n".join(f"## Section {i}\n\nParagraph {i} of the plan." for i in range(40))


def scripted() -> tuple[HostApp, ScriptedSocket]:
    socket = ScriptedSocket()
    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket),
                  FakeClient(make_job("collecting")))
    return app, socket


async def collecting(pilot: Any, socket: ScriptedSocket) -> LiveBuildScreen:
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.status == "collecting" and screen.socket is not None, what="started")
    socket.push(ConnectionEvent(state="live"),
                ChatEvent(message_id=1, job_id=7, role="agent", text="Who will use this app?"))
    chat_input = screen.query_one("#chat-input", Input)
    await wait_for(pilot, lambda: chat_input.has_focus and screen.query_one(ChatLog).entries,
                   what="chat input focused with the first question")
    return screen


def rows_of(log: ChatLog, message_id: int) -> list[str]:
    """The drawn rows of one chat line (its blank spacer row left out)."""
    start = sum(log.heights[:next(i for i, line in enumerate(log.chat_lines)
                                  if line.message_id == message_id)])
    index = [line.message_id for line in log.chat_lines].index(message_id)
    rows = [log.row(i) for i in range(start, start + log.heights[index])]
    return [row.text.rstrip() for row in rows if row.text.strip()]


def assert_wrapped_to(log: ChatLog, message_id: int, width: int) -> None:
    rows = rows_of(log, message_id)
    assert log.wrap_width == log.text_width == width
    assert all(len(row) <= width for row in rows), rows
    assert all(len(row) > width - 12 for row in rows[:-1]), f"rows narrower than {width} columns: {rows}"
    assert " ".join(rows).split()[2:] == LONG.split()  # nothing cut: every word is readable


async def test_lines_that_arrive_on_another_tab_wrap_at_the_chat_width() -> None:
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await collecting(pilot, socket)
        log = screen.query_one(ChatLog)
        width = log.text_width
        assert width > 100
        await pilot.press("2")  # the input is empty: the key switches tabs instead of typing
        tabs = screen.query_one(TabbedContent)
        await wait_for(pilot, lambda: tabs.active == "tab-prd", what="PRD tab shown by 2")
        assert screen.query_one("#chat-input", Input).value == ""
        socket.push(ChatEvent(message_id=2, job_id=7, role="agent", text=LONG))
        await wait_for(pilot, lambda: len(log.entries) == 2, what="long line received while hidden")
        await pilot.press("1")
        await wait_for(pilot, lambda: tabs.active == "tab-chat" and log.wrap_width == width,
                       what="transcript wrapped for the chat tab")
        assert_wrapped_to(log, 2, width)


async def test_resize_rewraps_and_deleting_a_line_keeps_the_width() -> None:
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await collecting(pilot, socket)
        log = screen.query_one(ChatLog)
        socket.push(ChatEvent(message_id=2, job_id=7, role="agent", text=LONG),
                    ChatEvent(message_id=3, job_id=7, role="user", text="short"))
        await wait_for(pilot, lambda: len(log.entries) == 3, what="lines received")
        assert_wrapped_to(log, 2, log.text_width)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: 0 < log.text_width < 80 and log.wrap_width == log.text_width,
                       what="transcript re-wrapped at 80 columns")
        assert_wrapped_to(log, 2, log.text_width)
        log.remove_message(3)  # what deleting a message in dev mode does
        await pilot.pause()
        assert_wrapped_to(log, 2, log.text_width)
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: log.text_width > 100 and log.wrap_width == log.text_width,
                       what="transcript re-wrapped at 120 columns")
        assert_wrapped_to(log, 2, log.text_width)


async def test_each_new_line_is_wrapped_once_and_only_if_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 1,000 events/s path: a new line costs at most one wrap, not a redraw of the transcript; lines that
    fit one row are styled only when a frame draws them (most of a flood is scrolled past before that)."""
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await collecting(pilot, socket)
        log = screen.query_one(ChatLog)
        wrapped: list[int] = []
        styled: list[int] = []
        real_wrap, real_parts = ChatLog.wrap, chat_log.ChatLine.parts
        monkeypatch.setattr(ChatLog, "wrap", lambda self, line, width: (wrapped.append(1),
                                                                         real_wrap(self, line, width))[1])
        monkeypatch.setattr(chat_log.ChatLine, "parts", lambda self, styles: (styled.append(1),
                                                                              real_parts(self, styles))[1])
        monkeypatch.setattr(chat_log, "MAX_LINES", 300)
        for i in range(1000):
            log.add("agent" if i % 2 else "user", f"line {i}", 100 + i)
        log.add("agent", LONG, 1100)  # more than a row: wrapped at once (its height is needed now)
        log.add("agent", "line 999", 1101)
        assert len(wrapped) == len(styled) == 1
        assert len(log.heights) <= 300 + chat_log.TRIM_BATCH
        assert len(log.entries) <= 300 + chat_log.TRIM_BATCH  # memory stays bounded
        assert log.trimmed == 1003 - len(log.entries) and log.entries[-1].text == "line 999"
        await wait_for(pilot, lambda: log.is_vertical_scroll_end and log.max_scroll_y > 0,
                       what="transcript following the newest line")
        await pilot.pause()
        assert "line 999" in log.row(len(log.rows) - 2).text
        assert len(wrapped) == 1  # rows that fit are drawn from their pieces, without Text.wrap
        assert 1 < len(styled) <= 1 + log.scrollable_content_region.height  # the rows a frame drew
        assert f"{log.trimmed:,} older lines not kept here" in log.render_line(-log.scroll_offset.y).text


async def test_reader_who_scrolled_up_is_not_pulled_down() -> None:
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await collecting(pilot, socket)
        log = screen.query_one(ChatLog)
        for i in range(100):
            log.add("agent", f"line {i}", 100 + i)
        await wait_for(pilot, lambda: log.max_scroll_y > 0 and log.is_vertical_scroll_end, what="at the end")
        log.focus()
        await pilot.press("home")
        assert log.scroll_y == 0
        log.add("agent", "one more", 500)
        await pilot.pause()
        assert log.scroll_y == 0
        await pilot.press("end")
        log.add("agent", "and another", 501)
        await wait_for(pilot, lambda: log.is_vertical_scroll_end
                       and "and another" in log.row(len(log.rows) - 2).text,
                       what="following again after End")


async def test_digits_are_text_once_the_input_has_text() -> None:
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await collecting(pilot, socket)
        chat_input = screen.query_one("#chat-input", Input)
        await pilot.press(*"we are 3", "2")
        await wait_for(pilot, lambda: chat_input.value == "we are 32", what="digits typed as text")
        assert screen.query_one(TabbedContent).active == "tab-chat"


async def test_prd_scrolls_with_the_keyboard_right_after_switching() -> None:
    app, socket = scripted()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await collecting(pilot, socket)
        socket.push(PrdEvent(message_id=2, job_id=7, prd=LONG_PRD))
        await wait_for(pilot, lambda: screen.prd == LONG_PRD, what="PRD received")
        await pilot.press("escape", "2")  # from the transcript as well as from the empty input
        scroll = screen.query_one("#prd-scroll", VerticalScroll)
        await wait_for(pilot, lambda: scroll.has_focus and scroll.max_scroll_y > 0,
                       what="PRD focused and laid out")
        await pilot.press("pagedown")
        assert scroll.scroll_y > 0
        await pilot.press("end")
        await wait_for(pilot, lambda: scroll.scroll_y == scroll.max_scroll_y, what="PRD at its end")
        await pilot.press("home")
        await wait_for(pilot, lambda: scroll.scroll_y == 0, what="PRD at its top")
        await pilot.press("1")  # back to the chat: the input takes the keys again
        await wait_for(pilot, lambda: screen.query_one("#chat-input", Input).has_focus, what="input focused")



async def test_a_row_drawn_from_its_pieces_is_the_row_text_wrap_gives() -> None:
    """The flood path (pieces straight to segments) draws what Text.wrap draws, for every kind of line."""
    app, socket = scripted()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await collecting(pilot, socket)
        log = screen.query_one(ChatLog)
        log.add("user", "a question 漢字", 201)
        log.add("agent", "an answer", 202)
        log.add("system", "Status: building", 203)
        log.add("user", "queued", pending=True)
        log.add("agent", "Error (x): broken", 204, error=True)
        await wait_for(pilot, lambda: log.wrap_width > 0 and len(log.heights) == len(log.chat_lines),
                       what="the lines measured")
        row = len(log.rows)
        for line, height in zip(reversed(log.chat_lines[-5:]), reversed(log.heights[-5:]), strict=True):
            row -= height
            assert list(log.row(row)) == list(log.wrap(line, log.wrap_width)[0]), line
