"""Issue 15: `/` finds text in the code view of App detail (real server): next, no match, escape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from tests.support.live_server import LiveServer
from tests.tui.harness import HostApp, finished_job, login, wait_for
from tui.screens.app_detail import AppDetailScreen
from tui.widgets.find_bar import next_match

SIZE = (120, 40)


def test_next_match_ignores_case_and_wraps() -> None:
    text = "def a():\n    return A\n"
    assert next_match(text, "a", 0) == (4, 5)
    assert next_match(text, "A", 5) == (20, 21)
    assert next_match(text, "a", 21) == (4, 5)
    assert next_match(text, "zebra", 0) is None and next_match(text, "", 0) is None


@pytest.fixture
async def client(live_server: LiveServer, fresh_user: dict, tmp_path: Path) -> Any:
    api = await login(live_server.url, tmp_path / "tokens", fresh_user["username"], fresh_user["password"])
    yield api
    await api.aclose()


async def test_slash_finds_in_the_shown_file(client: Any) -> None:
    job = await finished_job(client)
    app = HostApp(lambda: AppDetailScreen(job.app_id), client)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.state == "ready", what="app loaded")
        code = screen.query_one("#code", TextArea)
        await wait_for(pilot, lambda: code.text, what="a file shown")
        line = next(text for text in code.text.splitlines() if len(text.strip()) >= 4)
        word = line.strip()[:4]
        expected = code.text.lower().find(word.lower())
        await pilot.press("slash")
        find = screen.query_one("#code-find-area .find-input", Input)
        await wait_for(pilot, lambda: find.has_focus, what="find box focused")
        await pilot.press(*word, "enter")
        await wait_for(pilot, lambda: code.selected_text.lower() == word.lower(), what=f"{word!r} selected")
        assert code.document.get_index_from_location(code.selection.start) == expected
        await wait_for(pilot, lambda: code.has_focus, what="enter hands the keys back to the code")
        await pilot.press("slash")
        await wait_for(pilot, lambda: find.has_focus, what="find box focused again")
        find.value = "no such text here 12345"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("is not found here" in n.message for n in app._notifications),
                       what="no-match notice")
        await pilot.press("escape")
        await wait_for(pilot, lambda: code.has_focus and find.parent is not None and not find.parent.display,
                       what="find closed, code focused")
        assert app.screen is screen  # escape closed the box, not the screen
