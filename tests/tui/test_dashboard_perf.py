"""The dashboard with 10,000 jobs: all rows shown, the filter narrows and restores them (speed is measured
by benchmarks/bench_dashboard.py, not here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, until
from tui.app import AppBuilderApp
from tui.screens.dashboard import DashboardScreen
from tui.services.models import JobSummary

WORDS = ("todo", "weather", "recipes", "chess")


def many_jobs(count: int) -> list[JobSummary]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [JobSummary(id=i, title=f"Project {i} about {WORDS[i % 4]}", initial_prompt=f"Project {i}",
                status=("done", "collecting", "failed")[i % 3], created_at=start,
                updated_at=start + timedelta(minutes=i)) for i in range(1, count + 1)]


async def test_ten_thousand_jobs_filter_fast(live_server: LiveServer, fresh_user: dict,
                                             token_dir: Path) -> None:
    """Real client and server; the 10k rows are injected (creating them over REST would take minutes)."""
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "empty")
        board = app.screen
        assert isinstance(board, DashboardScreen)
        board.set_jobs(many_jobs(10_000))
        await pilot.pause()
        table = board.table
        assert table.row_count == 10_000
        await pilot.press("slash")
        await pilot.press(*"chess")
        await until(pilot, lambda: table.row_count == 2_500, what="filtered rows")
        await pilot.press("escape")
        await until(pilot, lambda: table.row_count == 10_000, what="filter cleared")
    await client.aclose()
