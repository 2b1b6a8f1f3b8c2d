"""Login / register against the real reference server: typing into the form, errors in words."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, TextArea

from tests.support.live_server import LiveServer, free_port
from tests.tui.conftest import logged_in_client, real_client, screen_name, until
from tui.app import AppBuilderApp
from tui.messages import AuthLost
from tui.screens.login import WRONG_CREDENTIALS

SIZE = (120, 40)


def login_error(app: AppBuilderApp) -> str:
    return str(app.screen.query_one("#login-error").render())


async def login_form(pilot: object, app: AppBuilderApp) -> None:
    """The login screen is up and the username field has the focus (keys typed earlier would be lost)."""
    await until(pilot, lambda: screen_name(app) == "LoginScreen" and app.focused is not None
                and app.focused.id == "username", what="login form focused")


async def test_login_by_typing(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = AppBuilderApp(real_client(live_server.url, token_dir))
    async with app.run_test(size=SIZE) as pilot:
        await login_form(pilot, app)
        assert app.screen.query_one("#server", Input).value == live_server.url
        await pilot.press(*fresh_user["username"], "tab", *fresh_user["password"], "enter")
        await until(pilot, lambda: screen_name(app) == "DashboardScreen",
                    what=f"dashboard (login says {login_error(app)!r}, "
                         f"{[i.value for i in app.screen.query(Input)]})")
        assert app.user is not None and app.user.username == fresh_user["username"]
    await app.client.aclose()
    # the session was saved: a new client restores it
    again = real_client(live_server.url, token_dir)
    try:
        user = await again.restore_session()
        assert user is not None and user.username == fresh_user["username"]
    finally:
        await again.aclose()


async def test_saved_session_skips_login(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    first = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    await first.aclose()
    app = AppBuilderApp(real_client(live_server.url, token_dir))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard")
        assert not any(type(s).__name__ == "LoginScreen" for s in app.screen_stack)
    await app.client.aclose()


async def test_wrong_password_shows_message(live_server: LiveServer, fresh_user: dict,
                                            token_dir: Path) -> None:
    app = AppBuilderApp(real_client(live_server.url, token_dir))
    async with app.run_test(size=SIZE) as pilot:
        await login_form(pilot, app)
        await pilot.press(*fresh_user["username"], "tab", *"not-the-password", "enter")
        await until(pilot, lambda: WRONG_CREDENTIALS in login_error(app), what="wrong password message")
        assert screen_name(app) == "LoginScreen"
        assert app.screen.query_one("#username", Input).value == fresh_user["username"]
    await app.client.aclose()


async def test_unreachable_server_shows_message(token_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    app = AppBuilderApp(real_client(url, token_dir))
    async with app.run_test(size=SIZE) as pilot:
        await login_form(pilot, app)
        assert app.connection_state == "offline"
        await pilot.press(*"ada", "tab", *"secret", "enter")
        await until(pilot, lambda: f"Server unreachable at {url}" in login_error(app), what="unreachable")
        assert "Traceback" not in login_error(app)
    await app.client.aclose()


async def test_register_then_dashboard(live_server: LiveServer, token_dir: Path) -> None:
    app = AppBuilderApp(real_client(live_server.url, token_dir))
    name = f"newbie{free_port()}"
    async with app.run_test(size=SIZE) as pilot:
        await login_form(pilot, app)
        await pilot.press("ctrl+t")
        await pilot.press(*name, "tab", *"pass-word-123", "enter")
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard after register")
        assert app.user is not None and app.user.username == name
    await app.client.aclose()


async def test_register_validation_shows_field_message(live_server: LiveServer, fresh_user: dict,
                                                       token_dir: Path) -> None:
    app = AppBuilderApp(real_client(live_server.url, token_dir))
    async with app.run_test(size=SIZE) as pilot:
        await login_form(pilot, app)
        await pilot.press("ctrl+t", *fresh_user["username"], "tab", *"pass-word-123", "enter")
        await until(pilot, lambda: str(app.screen.query_one("#username-error").render()).strip() != "",
                    what="username field error")
        assert screen_name(app) == "LoginScreen"
    await app.client.aclose()


async def test_auth_lost_keeps_typed_text(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    app = AppBuilderApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen_name(app) == "DashboardScreen")
        await pilot.press("n")
        await until(pilot, lambda: screen_name(app) == "CreateProjectScreen")
        await pilot.press(*"half typed prompt")
        create = app.screen
        app.post_message(AuthLost("Your session has ended: please log in again."))
        await until(pilot, lambda: screen_name(app) == "LoginScreen" and app.focused is not None
                    and app.focused.id == "password", what="login on top")
        assert create in app.screen_stack
        assert "session has ended" in str(app.screen.query_one("#login-reason").render())
        assert app.screen.query_one("#username", Input).value == fresh_user["username"]
        await pilot.press(*fresh_user["password"], "enter")
        await until(pilot, lambda: app.screen is create, what="back to the create screen")
        assert create.query_one("#prompt", TextArea).text == "half typed prompt"
    await app.client.aclose()
