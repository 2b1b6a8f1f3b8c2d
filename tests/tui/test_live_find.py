"""Issue 15: `/` finds text in the chat transcript and the PRD (n/N next/previous, wrapping; escape closes
and gives the keys back); `/` typed in the chat input stays text. Role colours follow the theme."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual.color import Color
from textual.content import Content
from textual.style import Style as TStyle
from textual.widgets import Input
from textual.widgets._markdown import MarkdownBlock

from tests.tui import harness
from tests.tui.harness import PRD, HostApp, ScriptedSocket, make_job, wait_for
from tui.screens.live_build import LiveBuildScreen
from tui.services import ChatEvent, ConnectionEvent
from tui.widgets.chat_log import ChatLog
from tui.widgets.find_bar import FindArea, find_all
from tui.widgets.prd_view import PrdView


def test_find_all_any_case_not_overlapping() -> None:
    assert find_all("Aaa aA", "aa") == [(0, 2), (4, 6)]
    assert find_all("abc", "") == [] and find_all("abc", "x") == []


def live_app() -> tuple[HostApp, ScriptedSocket]:
    return harness.scripted_live_build(make_job("collecting", prd=PRD))


async def transcript(pilot: Any, socket: ScriptedSocket) -> LiveBuildScreen:
    """A collecting job with a transcript longer than the pane; 'calendar' in lines 2, 30 (twice) and 58."""
    screen = await harness.live_build_started(pilot)
    texts = [f"filler line {i}" for i in range(60)]
    texts[2] = "Would a calendar view help?"
    texts[30] = "Calendar first: a calendar of due dates."
    texts[58] = "The calendar can wait."
    socket.push(ConnectionEvent(state="live"),
                *[ChatEvent(message_id=i + 1, job_id=7, role="agent" if i % 2 else "user", text=text)
                  for i, text in enumerate(texts)])
    log = screen.query_one(ChatLog)
    await wait_for(pilot, lambda: len(log.entries) == 60 and screen.query_one("#chat-input", Input).has_focus,
                   what="the transcript, chat input focused")
    return screen


def visible_text(log: ChatLog) -> str:
    return "\n".join(log.render_line(y).text for y in range(log.scrollable_content_region.height))


def styled_with(log: ChatLog, style: Style) -> str:
    """Text of the visible segments drawn with the background of `style`."""
    return "".join(segment.text for y in range(log.scrollable_content_region.height)
                   for segment in log.render_line(y)
                   if segment.style and segment.style.bgcolor == style.bgcolor)


async def test_slash_finds_in_the_chat_and_n_shift_n_move() -> None:
    from tui.widgets.find_bar import match_styles

    app, socket = live_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await transcript(pilot, socket)
        log = screen.query_one(ChatLog)
        chat_input = screen.query_one("#chat-input", Input)
        await pilot.press("slash", "g", "o")
        assert chat_input.value == "/go"  # the chat input keeps its `/`
        chat_input.value = ""
        await pilot.press("escape")
        await wait_for(pilot, lambda: log.has_focus, what="escape leaves the input for the transcript")
        await pilot.press("home")
        area = screen.query_one("#chat-find", FindArea)
        await pilot.press("slash")
        await wait_for(pilot, lambda: area.bar.input.has_focus, what="the find box")
        await pilot.press(*"CALENDAR", "enter")
        await wait_for(pilot, lambda: log.has_focus and area.find_count == 4, what="4 matches, keys back")
        every, current = match_styles(log)
        assert log.current is not None and log.current[0].text == "Would a calendar view help?"
        assert "calendar" in styled_with(log, current)
        await pilot.press("n")
        await wait_for(pilot, lambda: area.find_index == 1, what="second match")
        assert log.current is not None and log.current[0].text.startswith("Calendar first")
        await wait_for(pilot, lambda: "Calendar first" in visible_text(log), what="scrolled to the match")
        assert "Would a calendar" not in visible_text(log)
        assert styled_with(log, current).lower() == "calendar" and "calendar" in styled_with(log, every)
        await pilot.press("N", "N")
        await wait_for(pilot, lambda: area.find_index == 3, what="N wraps to the last match")
        await wait_for(pilot, lambda: "The calendar can wait." in visible_text(log),
                       what="the last match shown")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not area.is_open and log.has_focus and not log.find_query,
                       what="escape closes find, the transcript keeps the keys")
        assert styled_with(log, current) == ""
        await pilot.press("escape")  # and the next escape leaves the screen as before
        await wait_for(pilot, lambda: app.screen is not screen, what="back")


async def test_slash_finds_in_the_prd() -> None:
    from tui.widgets.find_bar import match_styles

    app, socket = live_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await transcript(pilot, socket)
        await pilot.press("2")
        prd = screen.query_one(PrdView)
        await wait_for(pilot, lambda: prd.has_focus and prd.blocks(), what="the PRD tab focused")
        area = screen.query_one("#prd-find", FindArea)
        await pilot.press("slash", *"tasks", "enter")
        await wait_for(pilot, lambda: prd.has_focus and area.find_count == 1, what="one match, keys back")
        block = prd.hits[0][0]
        assert "Keep a list of tasks" in block._content.plain
        _, current = match_styles(prd)
        start = block._content.plain.lower().index("tasks")
        shown = block.visual  # the block's content as drawn now: the match in the current-match style
        assert isinstance(shown, Content)
        wanted = TStyle.from_rich_style(current)
        assert any((span.start, span.end) == (start, start + 5) and span.style == wanted
                   for span in shown.spans)
        await pilot.press("slash")
        await wait_for(pilot, lambda: area.bar.input.has_focus, what="the find box again")
        await pilot.press("backspace", *"no such words", "enter")
        await wait_for(pilot, lambda: any("is not found here" in n.message for n in app._notifications),
                       what="a no-match notice")
        assert area.bar.input.has_focus and area.find_count == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: not area.is_open and prd.has_focus, what="closed, PRD focused")
        assert all(block.visual is not None for block in prd.query(MarkdownBlock))


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    def luminance(value: str) -> float:
        r, g, b_ = (c / 255 for c in Color.parse(value).rgb)
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b_)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_role_colours_follow_the_light_theme() -> None:
    app, socket = live_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await transcript(pilot, socket)
        log = screen.query_one(ChatLog)
        app.theme = "textual-light"
        variables = app.theme_variables
        await wait_for(pilot, lambda: log.styles_for is not None
                       and log.styles_for["user"].color is not None
                       and log.styles_for["user"].color.name.lower() == variables["text-primary"].lower(),
                       what="the user colour from the light theme")
        surface = variables["surface"]
        for role in ("user", "agent", "error", "system"):
            color = log.styles_for[role].color
            assert color is not None and color.triplet is not None
            assert contrast(color.triplet.hex, surface) >= 3.0, f"{role} is hard to read on {surface}"
        markers = [segment.style for y in range(log.scrollable_content_region.height)
                   for segment in log.render_line(y) if segment.text == "▌ " and segment.style]
        drawn = {style.color.triplet.hex.lower() for style in markers if style.color and style.color.triplet}
        assert drawn <= {variables["text-primary"].lower(), variables["text-success"].lower()} and drawn
