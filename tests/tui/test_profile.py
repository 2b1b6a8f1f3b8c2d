"""Profile screen against the real reference server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from tests.support.live_server import LiveServer
from tests.tui.harness import HostApp, login, wait_for
from tui.messages import AuthLost
from tui.screens.profile import ProfileScreen

SIZE = (120, 40)


def facts(screen: ProfileScreen) -> str:
    return str(screen.query_one("#profile-facts", Static).render())


async def test_profile_shows_user_and_logout(live_server: LiveServer, fresh_user: dict,
                                             tmp_path: Path) -> None:
    client = await login(live_server.url, tmp_path, fresh_user["username"], fresh_user["password"])
    try:
        app = HostApp(ProfileScreen, client)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda: screen.state == "ready", what="profile loaded")
            text = facts(screen)
            assert fresh_user["username"] in text and live_server.url in text
            assert fresh_user["access"] not in text and fresh_user["refresh"] not in text
            assert not screen.query_one(DataTable).display  # not staff: no users table
            await pilot.press("l")
            await wait_for(pilot, lambda: isinstance(app.screen, ModalScreen), what="confirm")
            await pilot.press("y")
            await wait_for(pilot, lambda: any(isinstance(m, AuthLost) for m in app.navigation),
                           what="AuthLost")
        assert not client.is_authenticated and client.session is None
    finally:
        await client.aclose()


async def test_admin_sees_users(make_server: Any, tmp_path: Path) -> None:
    server = make_server(seed_demo=True)
    client = await login(server.url, tmp_path, "admin", "admin-password")
    try:
        app = HostApp(ProfileScreen, client)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            await wait_for(pilot, lambda: screen.state == "ready", what="profile loaded")
            table = screen.query_one(DataTable)
            assert table.display and table.row_count >= 2
            names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]  # Text cells
            assert "admin" in names and "demo" in names
    finally:
        await client.aclose()
