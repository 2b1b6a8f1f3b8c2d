"""A server that answers 500, HTML instead of JSON, truncated JSON, or too slowly: the dashboard says so in
one line (no traceback), and works again as soon as the server answers properly."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from tests.support.bad_server import BadServer
from tests.tui.harness import HostApp, wait_for
from tui.screens.dashboard import DashboardScreen
from tui.services.client import ApiClient
from tui.services.tokens import StoredTokens, TokenStore


def fake_jwt() -> str:
    """Unsigned, but shaped like a JWT that expires in an hour (clients read `exp`, never the signature)."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'exp': int(time.time()) + 3600})}.c2lnbmF0dXJl"

EXPECTED = {
    "500-json": "database is locked",
    "500-html": "500",
    "200-html": "HTML",
    "truncated": "JSON",
    "slow": "did not answer in time (timed out after 0.5s",
}


@pytest.mark.parametrize("mode", sorted(EXPECTED))
async def test_dashboard_reports_then_recovers(mode: str, tmp_path: Path) -> None:
    with BadServer(mode, delay=2.0) as bad:
        store = TokenStore(tmp_path)
        store.save(StoredTokens(bad.url, "victim", access=fake_jwt(), refresh=fake_jwt()))
        client = ApiClient(bad.url, token_store=store, timeout=0.5)
        assert (await client.restore_session()) is not None
        app = HostApp(DashboardScreen, client)
        async with app.run_test(size=(120, 40)) as pilot:
            board = app.screen
            assert isinstance(board, DashboardScreen)
            await wait_for(pilot, lambda: board.state == "error", what=f"error state for {mode}")
            text = str(board.query_one("#dash-state").render())
            assert EXPECTED[mode] in text and "press r to retry" in text, text
            assert "Traceback" not in text and "\n" not in text.strip()
            assert app.is_running
            bad.mode = "ok-empty"
            await pilot.press("r")
            await wait_for(pilot, lambda: board.state == "empty", what="recovered")
        await client.aclose()
