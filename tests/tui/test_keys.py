"""Keys people expect (issue 11, item 9): Home/End/j/k/g/G in tables, a destructive confirm defaults to No,
ctrl+c quits (or says how when typed text would go), the palette lists the app's commands first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.command import CommandList, CommandPalette

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, screen_name, until
from tui.app import AppBuilderApp
from tui.commands import COMMANDS
from tui.screens.dashboard import DashboardScreen, JobsTable

SIZE = (120, 40)


async def dashboard_with_jobs(live_server: LiveServer, user: dict, token_dir: Path,
                              count: int) -> AppBuilderApp:
    client = await logged_in_client(live_server.url, token_dir, user["username"], user["password"])
    for i in range(count):
        await client.create_job(f"Project number {i}")
    return AppBuilderApp(client)


async def ready(pilot: Any, app: AppBuilderApp, rows: int) -> JobsTable:
    def shown() -> bool:
        if not isinstance(app.screen, DashboardScreen) or app.screen.state != "ready":
            return False
        table = app.screen.query_one(JobsTable)
        return table.row_count == rows and table.has_focus

    await until(pilot, shown, what=f"dashboard with {rows} rows, table focused")
    return app.screen.query_one(JobsTable)


async def test_table_keys_move_the_row_cursor(live_server: LiveServer, fresh_user: dict,
                                              token_dir: Path) -> None:
    app = await dashboard_with_jobs(live_server, fresh_user, token_dir, 5)
    async with app.run_test(size=SIZE) as pilot:
        table = await ready(pilot, app, 5)
        for key, row in (("end", 4), ("home", 0), ("j", 1), ("j", 2), ("k", 1), ("G", 4), ("g", 0)):
            await pilot.press(key)
            await until(pilot, lambda row=row: table.cursor_row == row, what=f"row {row} after {key}")
    await app.client.aclose()


async def test_delete_project_defaults_to_no(live_server: LiveServer, fresh_user: dict,
                                             token_dir: Path) -> None:
    app = await dashboard_with_jobs(live_server, fresh_user, token_dir, 1)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, 1)
        await pilot.press("d")
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen", what="delete confirmation")
        assert app.focused is not None and app.focused.id == "confirm-no"
        await pilot.press("enter")  # a stray enter keeps the project
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="back on the dashboard")
        assert len(await app.client.list_jobs()) == 1
    await app.client.aclose()


async def test_ctrl_c_quits(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await dashboard_with_jobs(live_server, fresh_user, token_dir, 0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "empty",
                    what="empty dashboard")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code == 0, what="the app exiting on ctrl+c")
    await app.client.aclose()


async def test_ctrl_c_with_typed_text_asks_for_a_second_press(live_server: LiveServer, fresh_user: dict,
                                                              token_dir: Path) -> None:
    app = await dashboard_with_jobs(live_server, fresh_user, token_dir, 0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "empty",
                    what="empty dashboard")
        await pilot.press("n")
        await until(pilot, lambda: screen_name(app) == "CreateProjectScreen" and app.focused is not None,
                    what="new project form focused")
        await pilot.press(*"A prompt I would lose")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: any("ctrl+c again" in n.message for n in app._notifications),
                    what="a notice saying how to quit")
        assert app.return_code is None
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code == 0, what="the app exiting on the second ctrl+c")
    await app.client.aclose()


async def test_palette_lists_the_app_commands_first(live_server: LiveServer, fresh_user: dict,
                                                    token_dir: Path) -> None:
    app = await dashboard_with_jobs(live_server, fresh_user, token_dir, 2)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, 2)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        options = app.screen.query_one(CommandList)
        app_titles = [title for title, _, _, dev_only in COMMANDS if app.dev_mode or not dev_only]
        await until(pilot, lambda: options.option_count > len(app_titles) + 5, what="palette filled")
        titles = [str(options.get_option_at_index(i).prompt).splitlines()[0]
                  for i in range(options.option_count)]
        assert titles[:len(app_titles)] == app_titles
        first_move = min(i for i, t in enumerate(titles) if t.startswith("Cursor"))
        assert first_move > titles.index("Refresh")  # the screen's actions before generic table moves
    await app.client.aclose()
