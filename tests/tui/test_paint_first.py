"""Paint first (issue 14): the app draws a neutral splash before its client and settings exist (the opener
makes them in a thread), then shows the screen the saved session calls for."""

from __future__ import annotations

import threading
from pathlib import Path

from textual.widgets import Static

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, real_client, screen_name, until
from tui.app import AppBuilderApp, Opened
from tui.config import Settings
from tui.widgets.connection import ConnectionIndicator

SIZE = (120, 40)


def splash(app: AppBuilderApp) -> str:
    return str(app.query_one("#splash", Static).render())


async def test_neutral_splash_until_the_opener_is_done_then_the_dashboard(
        live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    first = await logged_in_client(live_server.url, token_dir, fresh_user["username"], fresh_user["password"])
    await first.aclose()
    release, asked = threading.Event(), threading.Event()

    def opener() -> Opened:
        asked.set()
        release.wait(30)  # the test looks at the splash first
        return Opened(real_client(live_server.url, token_dir), Settings.model_construct(theme="nord"))

    app = AppBuilderApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, asked.is_set, what="the opener to be called")
        assert "starting" in splash(app) and app.client_if_open is None
        assert screen_name(app) not in ("LoginScreen", "DashboardScreen")
        await pilot.press("ctrl+p")  # no palette without a client
        assert screen_name(app) not in ("CommandPalette",)
        release.set()
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard after the opener")
        assert not any(type(s).__name__ == "LoginScreen" for s in app.screen_stack)
        assert app.theme == "nord"  # the opener's settings are applied
        assert app.screen_stack[0].query(ConnectionIndicator)
    await app.client.aclose()


async def test_opener_failure_ends_the_app_with_its_error() -> None:
    def opener() -> Opened:
        raise ValueError("config.toml, line 1: broken")

    app = AppBuilderApp(opener=opener)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.open_error is not None, what="the opener's error")
    assert isinstance(app.open_error, ValueError) and app.return_code == 1
    assert app.client_if_open is None
