"""Logging out and back in (issue 11, item 2): as another user, a fresh dashboard and no error from the old
one; as the same user, the Profile shows the new session. The connection state in words (item 12): after
logging out the server is still "live"; a dead server at start is named on the login form. Real server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tests.support.live_server import LiveServer, free_port
from tests.tui.conftest import logged_in_client, real_client, screen_name, until
from tui.app import AppBuilderApp

SIZE = (120, 40)


def notes(app: AppBuilderApp) -> list[str]:
    return [f"{n.title} {n.message}" for n in app._notifications]


async def log_out_from_profile(pilot: Any, app: AppBuilderApp) -> None:
    await until(pilot, lambda: screen_name(app) == "DashboardScreen" and app.screen.loaded, what="dashboard")
    await pilot.press("p")
    await until(pilot, lambda: screen_name(app) == "ProfileScreen" and app.screen.state == "ready",
                what="profile loaded")
    await pilot.press("l")
    await until(pilot, lambda: isinstance(app.screen, ModalScreen), what="log out confirmation")
    await pilot.press("y")
    await until(pilot, lambda: screen_name(app) == "LoginScreen" and app.focused is not None
                and app.focused.id == "password", what="login form, password focused (username kept)")
    assert app.connection_state == "live"  # logged out, but the server still answers
    assert "offline" not in str(app.screen.query_one("#login-connection").render())


async def type_login(pilot: Any, username: str, password: str) -> None:
    pilot.app.screen.query_one("#username", Input).value = username
    await pilot.press(*password, "enter")


async def test_log_in_as_another_user_gets_a_fresh_dashboard(live_server: LiveServer, fresh_user: dict,
                                                             token_dir: Path) -> None:
    other = live_server.register(f"other{id(object())}", "pass-word-123")
    first = await logged_in_client(live_server.url, token_dir, fresh_user["username"], fresh_user["password"])
    await first.create_job("A job of the first user")
    app = AppBuilderApp(first)
    async with app.run_test(size=SIZE) as pilot:
        await log_out_from_profile(pilot, app)
        await type_login(pilot, other["user"]["username"], "pass-word-123")
        await until(pilot, lambda: screen_name(app) == "DashboardScreen" and app.screen.loaded,
                    what="the other user's dashboard")
        board = app.screen
        assert len(app.screen_stack) == 2  # the default screen and the new dashboard: nothing stale below
        assert board.jobs == []
        assert other["user"]["username"] in str(board.query_one("#dash-title", Static).render())
        await pilot.press("r")  # any late answer of the old dashboard would land now
        await until(pilot, lambda: board.state == "empty", what="empty dashboard after reload")
        assert not [n for n in notes(app) if "Unexpected error" in n or "NoMatches" in n], notes(app)
    await app.client.aclose()


async def test_log_in_again_as_the_same_user_refreshes_the_profile(live_server: LiveServer,
                                                                   fresh_user: dict, token_dir: Path) -> None:
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    app = AppBuilderApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await log_out_from_profile(pilot, app)
        profile = app.screen_stack[-2]
        before = profile.user
        await type_login(pilot, fresh_user["username"], fresh_user["password"])
        await until(pilot, lambda: app.screen is profile, what="back on the profile")
        await until(pilot, lambda: profile.user is not before, what="profile fetched again")
        session = app.client.session
        assert session is not None and session.access_expires_at is not None
        expected = session.access_expires_at.astimezone().strftime("%H:%M")
        await until(pilot, lambda: profile.state == "ready" and expected in
                    str(profile.query_one("#profile-facts", Static).render()),
                    what=f"profile showing the new token expiry {expected}")
        assert not [n for n in notes(app) if "Unexpected error" in n], notes(app)
    await app.client.aclose()


async def test_a_dead_server_at_start_is_named_on_the_login_form(token_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    app = AppBuilderApp(real_client(url, token_dir))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen_name(app) == "LoginScreen", what="login form")
        reason = app.screen.query_one("#login-reason", Static)
        await until(pilot, lambda: f"Server unreachable at {url}" in str(reason.render()) and reason.display,
                    what="the reason on the form before any submit")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "username",
                    what="the form mounted (username focused)")
    await app.client.aclose()
