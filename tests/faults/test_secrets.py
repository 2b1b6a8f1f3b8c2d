"""No token in any log: a session with several refreshes, a socket and errors leaves no JWT in the server's
output nor in the TUI's log file; the session file stays 0600."""

from __future__ import annotations

import asyncio
import logging
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, until
from tui.app import AppBuilderApp
from tui.logs import LOG_ENV, setup_logging
from tui.messages import OpenJob
from tui.screens.dashboard import DashboardScreen
from tui.screens.live_build import LiveBuildScreen
from tui.services.http import JWT_PATTERN


@pytest.fixture
def tui_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "logs"))
    path = setup_logging()
    logging.getLogger("tui").setLevel(logging.DEBUG)  # the most talkative it can be
    yield path
    for handler in list(logging.getLogger("tui").handlers):
        logging.getLogger("tui").removeHandler(handler)
        handler.close()


async def test_no_token_in_any_log(make_server: Callable[..., LiveServer], tmp_path: Path,
                                   tui_log: Path) -> None:
    server = make_server(speed=0.05, access_lifetime=1, access_log=True)
    server.register("secretive")
    tokens = tmp_path / "tokens"
    client = await logged_in_client(server.url, tokens, "secretive", "pass-word-123")
    first = client.token_store.read(server.url)[0]
    job = await client.create_job("A diary with reminders")
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "ready",
                    what="dashboard")
        app.post_message(OpenJob(job.id))
        await until(pilot, lambda: isinstance(app.screen, LiveBuildScreen)
                    and app.screen.connection == "live", what="live build")
        for _ in range(3):  # across several 1-second access lifetimes
            await asyncio.sleep(1.2)
            await pilot.press("escape", "escape", "r")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen)
                        and app.screen.state == "ready", what="dashboard reloaded")
    last = client.token_store.read(server.url)[0]
    await client.aclose()
    assert first is not None and last is not None and last.refresh != first.refresh, "no refresh happened"
    profile = client.token_store.profile_path(server.url)
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600
    for name, text in (("server log", server.log()), ("TUI log", tui_log.read_text())):
        assert not JWT_PATTERN.search(text), f"a token in the {name}"
        for secret in (first.access, first.refresh, last.access, last.refresh):
            assert secret not in text
    assert "/api/auth/token/refresh/" in server.log(), "requests not logged: the check would prove nothing"
