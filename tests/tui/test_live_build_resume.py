"""The Live build stream resumes after logging in again (issue 11, item 3) with the real JobSocket: the
socket drops, its reconnect finds the session gone (refresh token blacklisted, access token expired), so
it ends with ConnectionEvent("closed"); after the login screen the screen must follow the job again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input

from tests.support.live_server import LiveServer
from tests.support.tcp_proxy import TcpProxy
from tests.tui.conftest import logged_in_client, screen_name, until
from tui.app import AppBuilderApp
from tui.messages import OpenJob
from tui.screens.live_build import LiveBuildScreen
from tui.widgets.chat_log import ChatLog


def logout_elsewhere(server_url: str, client: object) -> None:
    """Another terminal logs this session out: its refresh token is blacklisted on the server.

    The app may be rotating the refresh token at the same moment (the server closes the socket when the
    2-second access token expires, and the app refreshes): a token that was just rotated answers
    "blacklisted", so log out with the one the app saves next."""
    import time

    import httpx

    login = httpx.post(f"{server_url}/api/auth/login/",
                       json={"username": "twoterms", "password": "pass-word-123"})
    headers = {"Authorization": f"Bearer {login.json()['access']}"}
    deadline = time.monotonic() + 10
    tried: set[str] = set()
    while True:
        refresh = client.token_store.read(server_url)[0].refresh  # type: ignore[attr-defined]
        if refresh not in tried:
            tried.add(refresh)
            answer = httpx.post(f"{server_url}/api/auth/logout/", json={"refresh": refresh}, headers=headers)
            if answer.status_code in (200, 204, 205):
                return
            assert "blacklisted" in answer.text, answer.text
        assert time.monotonic() < deadline, "timed out waiting for the app to save its rotated refresh token"
        time.sleep(0.02)


def agent_lines(build: LiveBuildScreen) -> int:
    return sum(line.role == "agent" for line in build.query_one(ChatLog).entries)


async def test_stream_resumes_after_the_session_died_with_the_socket(make_server: Callable[..., LiveServer],
                                                                     tmp_path: Path) -> None:
    server = make_server(speed=0.05, access_lifetime=2)
    server.register("twoterms")
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        client = await logged_in_client(proxy.url, tmp_path, "twoterms", "pass-word-123")
        job = await client.create_job("A plant watering log")
        app = AppBuilderApp(client)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard")
            app.post_message(OpenJob(job.id))
            await until(pilot, lambda: isinstance(app.screen, LiveBuildScreen)
                        and app.screen.connection == "live" and agent_lines(app.screen) >= 1,
                        what="live build, socket live, first question")
            build = app.screen
            await asyncio.to_thread(logout_elsewhere, proxy.url, client)  # the session ends elsewhere
            session = client.session
            await until(pilot, lambda: session.access_expires_at <= datetime.now(UTC), timeout=10,
                        what="access token expired")
            await proxy.drop_all()  # the socket drops; its reconnect must refresh, and cannot
            await until(pilot, lambda: screen_name(app) == "LoginScreen", what="login screen")
            await until(pilot, lambda: build.socket_failed and build.connection == "offline",
                        what="the stream ended with ConnectionEvent('closed')")
            await until(pilot, lambda: app.focused is not None and app.focused.id == "password",
                        what="password field focused")
            await pilot.press(*"pass-word-123", "enter")
            await until(pilot, lambda: app.screen is build and build.connection == "live",
                        what=f"stream live again (connection {build.connection!r}, on {screen_name(app)})")
            asked = agent_lines(build)
            chat_input = build.query_one("#chat-input", Input)
            await until(pilot, lambda: chat_input.has_focus, what="chat input focused")
            await pilot.press(*"Only me", "enter")
            await until(pilot, lambda: agent_lines(build) > asked, what="the agent's next question, live")
        await app.client.aclose()
