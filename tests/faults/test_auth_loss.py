"""The refresh token dies under an open Live build (logged out in another terminal, access token expired):
the user lands on the login screen with the reason in words, and what was typed in the chat box survives
logging in again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, screen_name, until
from tui.app import AppBuilderApp
from tui.messages import OpenJob
from tui.screens.live_build import LiveBuildScreen


async def test_blacklisted_refresh_shows_login_and_keeps_the_chat_text(make_server: Callable[..., LiveServer],
                                                                       tmp_path: Path) -> None:
    server = make_server(speed=0.05, access_lifetime=1)
    server.register("twoterms")
    here = await logged_in_client(server.url, tmp_path / "here", "twoterms", "pass-word-123")
    job = await here.create_job("A shared shopping list")
    app = AppBuilderApp(here)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard")
        app.post_message(OpenJob(job.id))
        await until(pilot, lambda: isinstance(app.screen, LiveBuildScreen)
                    and app.screen.status == "collecting"
                    and app.screen.query_one("#chat-input", Input).has_focus, what="chat open")
        build = app.screen
        await pilot.press(*"milk, eggs and a half-finished thou")
        # the same session ends elsewhere: its refresh token is blacklisted server-side
        await asyncio.to_thread(server_logout, server, here)
        await asyncio.sleep(1.3)  # the access token expires too: the next call must refresh, and cannot
        build.start_build()  # any request will do
        await until(pilot, lambda: screen_name(app) == "LoginScreen", what="login screen")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "password", what="password")
        reason = str(app.screen.query_one("#login-reason").render())
        assert "session has ended" in reason and "log in again" in reason and "Traceback" not in reason
        assert build in app.screen_stack
        await pilot.press(*"pass-word-123", "enter")
        await until(pilot, lambda: app.screen is build,
                    what=f"back to the build (on {screen_name(app)}, focus {app.focused!r}, "
                         f"{[n.message for n in app._notifications][-3:]})")
        assert build.query_one("#chat-input", Input).value == "milk, eggs and a half-finished thou"
    await app.client.aclose()


def server_logout(server: LiveServer, client: object) -> None:
    import httpx

    store = client.token_store  # type: ignore[attr-defined]
    with store.locked(server.url):  # the app cannot rotate the token between this read and the logout
        stored = store.read(server.url)[0]
        for _ in range(5):  # SimpleJWT cuts `exp` to whole seconds: a 1 s access token may live ~0 s
            login = httpx.post(f"{server.url}/api/auth/login/",
                               json={"username": "twoterms", "password": "pass-word-123"})
            answer = httpx.post(f"{server.url}/api/auth/logout/", json={"refresh": stored.refresh},
                                headers={"Authorization": f"Bearer {login.json()['access']}"})
            if answer.status_code != 401:
                break
    assert answer.status_code in (200, 204, 205), answer.text
