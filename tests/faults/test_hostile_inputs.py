"""Client side of the threat model: a throttling server, an unreadable session file, a hostile server's
deep JSON, and the log file's mode after rotation. Each ends in one line of words, never a hang."""

from __future__ import annotations

import asyncio
import logging
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.bad_server import MODES, BadServer
from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, real_client, screen_name, until
from tui.app import AppBuilderApp
from tui.logs import setup_logging
from tui.services.errors import ServerError, SessionFileUnreadable, TooManyAttempts
from tui.services.tokens import TokenStore

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)


async def test_throttled_login_says_when_to_try_again(make_server: Callable[..., LiveServer],
                                                      tmp_path: Path) -> None:
    server = make_server(auth_rate=None)  # the production rate: 10 a minute
    server.register("patient")
    for n in range(10):
        httpx.post(f"{server.url}/api/auth/login/", json={"username": "patient", "password": f"wrong-{n}"})
    client = real_client(server.url, tmp_path / "tokens")
    with pytest.raises(TooManyAttempts) as caught:
        await client.login("patient", "pass-word-123")
    assert 1 <= caught.value.retry_after <= 60
    assert caught.value.message == f"Too many attempts, try again in {caught.value.retry_after} s."
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await login_form(pilot, app)
        await pilot.press(*"patient", "tab", *"pass-word-123", "enter")
        await until(pilot, lambda: "Too many attempts, try again in" in rendered(app),
                    what="the 429 in words")
    await client.aclose()


async def login_form(pilot: object, app: AppBuilderApp) -> None:
    await until(pilot, lambda: screen_name(app) == "LoginScreen" and app.focused is not None
                and app.focused.id == "username", what="login form focused")


def rendered(app: AppBuilderApp) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("Static") if w.display)


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8 \x80", b"{\"server_url\": ", b"[1, 2]"])
async def test_unreadable_session_file_is_set_aside_then_login(live_server: LiveServer, fresh_user: dict,
                                                               tmp_path: Path, content: bytes) -> None:
    tokens = tmp_path / "tokens"
    client = await logged_in_client(live_server.url, tokens, fresh_user["username"], fresh_user["password"])
    profile = client.token_store.profile_path(live_server.url)
    await client.aclose()
    profile.write_bytes(content)
    client = real_client(live_server.url, tokens)
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await login_form(pilot, app)
        reason = str(app.screen.query_one("#login-reason").render())
        assert str(profile) in reason and "moved it to" in reason and "\n" not in reason.strip()
        aside = profile.with_name(profile.name + ".unreadable")
        assert not profile.exists() and aside.read_bytes() == content
        await pilot.press(*fresh_user["username"], "tab", *fresh_user["password"], "enter")
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard after login")
    assert TokenStore(tokens).load(live_server.url) is not None  # a good session file again
    await app.client.aclose()


async def test_cli_names_the_unreadable_session_file(live_server: LiveServer, fresh_user: dict,
                                                     tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    client = await logged_in_client(live_server.url, tokens, fresh_user["username"], fresh_user["password"])
    profile = client.token_store.profile_path(live_server.url)
    await client.aclose()
    profile.write_bytes(b"\xc3\x28 broken")
    done = await asyncio.to_thread(cli, "--server", live_server.url, "--config-dir", str(tokens),
                                   "jobs", "list")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(profile) in lines[0] and "not UTF-8" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and "UnicodeDecodeError" not in done.stderr


def test_store_sets_aside_only_when_asked(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.profiles.mkdir(parents=True)
    path = store.profile_path("http://x")
    path.write_bytes(b"\xff")
    assert store.read("http://x")[0] is None and path.exists()  # mid-session: keep what we have
    with pytest.raises(SessionFileUnreadable, match="is not UTF-8 text: moved it to"):
        store.read("http://x", set_aside=True)
    path.write_bytes(b"\xff")
    with pytest.raises(SessionFileUnreadable, match=r"\.unreadable-"):  # an older one is kept too
        store.read("http://x", set_aside=True)


async def test_hostile_deep_json_is_an_error_in_words(tmp_path: Path) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=deep, headers={"content-type": "application/json"})

    from tui.services.client import ApiClient

    client = ApiClient("http://hostile.test", token_store=TokenStore(tmp_path),
                       transport=httpx.MockTransport(answer))
    with pytest.raises(ServerError) as caught:
        await asyncio.wait_for(client.server_info(), 10)
    assert "nested too deeply" in caught.value.message
    await client.aclose()


async def test_hostile_deep_json_over_real_http_reaches_the_login_screen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(MODES, "deep", (200, "application/json", b"[" * 100_000 + b"]" * 100_000))
    with BadServer("deep") as bad:
        client = real_client(bad.url, tmp_path / "tokens")
        app = AppBuilderApp(client)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: screen_name(app) == "LoginScreen", what="login screen, not the splash")
        await client.aclose()


def test_log_file_stays_private_after_rotation(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        path = setup_logging(tmp_path / "logs" / "tui.log", max_bytes=2000)
        log = logging.getLogger("tui.test")
        for n in range(100):
            log.warning("line %s %s", n, "x" * 100)
    finally:
        os.umask(old)
        for handler in list(logging.getLogger("tui").handlers):
            logging.getLogger("tui").removeHandler(handler)
            handler.close()
    files = sorted(path.parent.iterdir())
    assert [f.name for f in files] == ["tui.log", "tui.log.1", "tui.log.2"]
    assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}


