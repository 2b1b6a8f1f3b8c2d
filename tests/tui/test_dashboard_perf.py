"""The dashboard with 10,000 jobs: all rows shown, the filter narrows and restores them (speed is measured
by benchmarks/bench_dashboard.py, not here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, until
from tui.app import AppBuilderApp
from tui.screens.dashboard import DashboardScreen
from tui.services.records import JobSummary

WORDS = ("todo", "weather", "recipes", "chess")


def many_jobs(count: int) -> list[JobSummary]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [JobSummary(id=i, title=f"Project {i} about {WORDS[i % 4]}", initial_prompt=f"Project {i}",
                status=("done", "collecting", "failed")[i % 3], created_at=start,
                updated_at=start + timedelta(minutes=i)) for i in range(1, count + 1)]


def without_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the app starts (its timers bind the methods at mount): the polls would see the server's total
    (0) differ from the injected rows and reload the list, dropping them."""
    monkeypatch.setattr(DashboardScreen, "check_newest", lambda self: None)
    monkeypatch.setattr(DashboardScreen, "tick", lambda self: None)


async def board_with_many_jobs(pilot: Any, app: AppBuilderApp, count: int = 10_000) -> DashboardScreen:
    """The dashboard of an empty account with `count` rows injected (start the app `without_polls`)."""
    await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "empty",
                what="the empty dashboard")
    board = app.screen
    assert isinstance(board, DashboardScreen)
    board.set_jobs(many_jobs(count))
    await until(pilot, lambda: board.table.row_count == count, what=f"{count} rows")
    return board


async def filtering_c(pilot: Any, app: AppBuilderApp) -> DashboardScreen:
    """`board_with_many_jobs`, then the filter box open with 'c' typed and its rows shown."""
    board = await board_with_many_jobs(pilot, app)
    await pilot.press("slash", "c")
    await until(pilot, lambda: "filter 'c'" in str(board.query_one("#dash-state").render()),
                what="the status line for 'c'")
    return board


async def test_ten_thousand_jobs_filter_fast(live_server: LiveServer, fresh_user: dict,
                                             token_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real client and server; the 10k rows are injected (creating them over REST would take minutes)."""
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    without_polls(monkeypatch)
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await board_with_many_jobs(pilot, app)
        table = board.table
        await pilot.press("slash")
        await pilot.press(*"chess")
        await until(pilot, lambda: table.row_count == 2_500, what="filtered rows")
        await pilot.press("escape")
        await until(pilot, lambda: table.row_count == 10_000, what="filter cleared")
    await client.aclose()


async def test_a_filter_key_repaints_without_a_layout_pass(live_server: LiveServer, fresh_user: dict,
                                                           token_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A keystroke in the filter costs a repaint, not a layout of the screen (most of a key's frame at 10k);
    a layout is still asked when the table's scrollbar goes (fewer rows than fit)."""
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    layouts: list[str] = []
    real_layout = Screen._refresh_layout

    def counted(screen: Screen, *args: object, **kwargs: object) -> None:
        layouts.append(type(screen).__name__)
        real_layout(screen, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    without_polls(monkeypatch)
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await filtering_c(pilot, app)
        await pilot.pause()
        layouts.clear()
        await pilot.press(*"hes")
        await until(pilot, lambda: "filter 'ches'" in str(board.query_one("#dash-state").render()),
                    what="the status line for 'ches'")
        await pilot.pause()
        assert board.table.row_count == 2_500 and layouts == []
        await pilot.press("escape", "slash", *"project", "space", *"9999")  # one row: no scrollbar
        await until(pilot, lambda: board.table.row_count == 1, what="the one row of project 9999")
        await pilot.pause()
        assert layouts and not board.table.show_vertical_scrollbar
    await client.aclose()


async def test_a_filter_key_paints_the_box_and_its_rows_in_one_frame(
        live_server: LiveServer, fresh_user: dict, token_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The box, the table and the status line reach the screen in the same frame (painted alone first, the
    box made the rows wait for the next tick of Textual's update timer: 17-33 ms more per key)."""
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    frames: list[set[str]] = []
    real_refresh = Screen._compositor_refresh

    def recorded(screen: Screen) -> None:
        frames.append({widget.id or type(widget).__name__ for widget in screen._dirty_widgets})
        real_refresh(screen)

    monkeypatch.setattr(Screen, "_compositor_refresh", recorded)
    without_polls(monkeypatch)
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await filtering_c(pilot, app)
        for key, needle in (("h", "ch"), ("backspace", "c"), ("backspace", "")):
            await pilot.pause()
            frames.clear()
            await pilot.press(key)
            await until(pilot, lambda needle=needle: board.index.needle == needle and frames,
                        what=f"a frame after {key!r}")
            with_box = next(frame for frame in frames if "dash-filter" in frame)
            assert {"jobs", "dash-state"} <= with_box, (key, frames)
    await client.aclose()
