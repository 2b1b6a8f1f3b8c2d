"""The global guard: an unexpected error in a worker is logged (without tokens) and shown, never fatal."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from textual import work
from textual.screen import Screen
from textual.widgets import Static

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, until
from tui.app import AppBuilderApp
from tui.logs import LOG_ENV, setup_logging
from tui.screens.dashboard import DashboardScreen

FAKE_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


class BuggyScreen(Screen[None]):
    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("buggy")

    @work
    async def explode(self) -> None:
        raise ValueError(f"bad value near {FAKE_JWT}")


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(LOG_ENV, str(tmp_path / "logs"))
    path = setup_logging()
    yield path
    for handler in list(logging.getLogger("tui").handlers):
        logging.getLogger("tui").removeHandler(handler)
        handler.close()


def test_log_file_is_private(log_file: Path) -> None:
    assert log_file.parent == log_file.parent.parent / "logs"
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


async def test_worker_bug_is_logged_and_notified_not_fatal(log_file: Path, live_server: LiveServer,
                                                            fresh_user: dict, token_dir: Path) -> None:
    user = fresh_user
    client = await logged_in_client(live_server.url, token_dir, user["username"], user["password"])
    app = AppBuilderApp(client)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen), what="dashboard")
        screen = BuggyScreen()
        await app.push_screen(screen)
        screen.explode()
        await until(pilot, lambda: any("Something went wrong" in n.message for n in app._notifications),
                    what="notification")
        note = next(n.message for n in app._notifications if "Something went wrong" in n.message)
        assert "ValueError" in note and str(log_file) in note and FAKE_JWT not in note
        assert app.is_running and app.return_code in (None, 0)
    await client.aclose()
    text = log_file.read_text()
    assert "Traceback" in text and "ValueError" in text and "explode" in text
    assert FAKE_JWT not in text and "[token]" in text
