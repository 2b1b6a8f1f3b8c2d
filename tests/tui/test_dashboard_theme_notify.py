"""Issue 15 on the dashboard: status colours come from the theme (a light theme stays readable), and a
build the user opened that ends while they are elsewhere rings the bell (OSC 9/777) unless turned off."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color, ColorTriplet

from tests.support.live_server import LiveServer
from tests.tui.conftest import ShellFake, fixed_clock, screen_name, until, watching_a_build
from tui.app import AppBuilderApp, build_alert
from tui.screens.dashboard import DashboardScreen
from tui.widgets.jobs_table import JobsTable

SIZE = (120, 40)
STATUS_COLOURS = {"done": "text-success", "failed": "text-error", "building": "text-warning",
                  "prd": "text-secondary", "collecting": "text-primary"}


def status_colours(table: JobsTable) -> dict[str, ColorTriplet | None]:
    """The colour each status cell is drawn in (rows off the cursor row; the table is not scrolled)."""
    colours: dict[str, ColorTriplet | None] = {}
    for y in range(1, table.row_count + 1):
        if y - 1 == table.cursor_row:
            continue
        for segment in table.render_line(y):
            word = segment.text.strip()
            if word in STATUS_COLOURS and segment.style is not None:
                colours[word] = segment.style.color.triplet if segment.style.color else None
    return colours


async def test_status_colours_follow_the_theme() -> None:
    app = AppBuilderApp(ShellFake(), clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "ready",
                    what="dashboard with the sample jobs")
        table = app.screen.query_one(JobsTable)
        await pilot.press("G")  # the cursor (drawn in its own colours) on the last job: a done one
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            wanted = {status: Color.parse(app.theme_variables[name]).triplet
                      for status, name in STATUS_COLOURS.items()}
            await until(pilot, lambda wanted=wanted: status_colours(table) == wanted,
                        what=f"status cells in the {theme} theme's colours")
        assert status_colours(table)["done"] != Color.parse("green").get_truecolor()


@pytest.mark.parametrize("enabled", [True, False])
async def test_build_left_behind_alerts_from_the_dashboard(live_server: LiveServer, fresh_user: dict,
                                                           token_dir: Path, enabled: bool) -> None:
    async with watching_a_build(live_server.url, token_dir, fresh_user, enabled, SIZE) as (client, job, app,
                                                                                         pilot, written):
        app.action_dashboard()  # ... and left it
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="back on the dashboard")
        board = app.screen
        assert isinstance(board, DashboardScreen)
        await client.start_build(job.id)
        await until(pilot, lambda: (row := board.job_by_id(job.id)) is not None and row.status == "done",
                    timeout=60, what="the dashboard row done")
        await pilot.pause()
    alerts = [data for data in written if "\x1b]9;" in data or "\x1b]777;" in data]
    assert alerts == ([build_alert(f"Build #{job.id} finished")] if enabled else [])
