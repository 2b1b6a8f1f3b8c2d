"""`login`, `logout`, env tokens for CI, and the exit codes of a missing or refused session."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cli.conftest import ROOT, Cli, cli_env, one_line_error, run_cli
from tests.support.live_server import LiveServer, free_port
from tui.services.tokens import StoredTokens, TokenStore


def test_login_with_password_stdin_saves_a_private_session(live_server: LiveServer, fresh_user: dict,
                                                           config_dir: Path) -> None:
    cli = Cli(live_server, config_dir)
    result = cli("login", "--username", fresh_user["username"], "--password-stdin",
                 stdin=fresh_user["password"] + "\n")
    assert result.returncode == 0, result.stderr
    assert f"as {fresh_user['username']}" in result.stdout
    saved = TokenStore(config_dir).profile_path(live_server.url)
    assert saved.stat().st_mode & 0o777 == 0o600
    assert fresh_user["password"] not in saved.read_text()
    assert cli("jobs", "list").returncode == 0


def test_wrong_password_is_exit_3(live_server: LiveServer, fresh_user: dict, config_dir: Path) -> None:
    result = Cli(live_server, config_dir)("login", "--username", fresh_user["username"], "--password-stdin",
                                          stdin="not-the-password\n")
    assert result.returncode == 3
    assert one_line_error(result) == "appbuilder-tui: Wrong username or password."
    assert not TokenStore(config_dir).profile_path(live_server.url).exists()


def test_login_without_a_terminal_needs_the_script_flags(live_server: LiveServer, config_dir: Path) -> None:
    result = Cli(live_server, config_dir)("login")
    assert result.returncode == 2
    assert "--password-stdin" in one_line_error(result)
    result = Cli(live_server, config_dir)("login", "--password-stdin", stdin="x\n")
    assert result.returncode == 2 and "--username" in one_line_error(result)


def read_until(fd: int, wanted: bytes, what: str, timeout: float = 30) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert time.monotonic() < deadline, f"timed out waiting for {what}; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                break
    return seen


def test_login_prompts_in_a_terminal_without_echoing_the_password(live_server: LiveServer,
                                                                  fresh_user: dict,
                                                                  config_dir: Path) -> None:
    env = cli_env(config_dir)
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tui", "--server", live_server.url, "login"], stdin=child,
                            stdout=child, stderr=child, cwd=ROOT, env=env, close_fds=True)
    os.close(child)
    try:
        read_until(main, b"Username: ", "the username prompt")
        os.write(main, fresh_user["username"].encode() + b"\n")
        read_until(main, b"Password: ", "the password prompt")
        os.write(main, fresh_user["password"].encode() + b"\n")
        rest = read_until(main, b"Logged in", "the login to finish")
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)
    assert fresh_user["password"].encode() not in rest
    assert TokenStore(config_dir).load(live_server.url) is not None


def test_logout_revokes_the_refresh_token_and_forgets_the_session(cli: Cli) -> None:
    refresh = TokenStore(cli.config_dir).load(cli.server.url).refresh
    result = cli("logout")
    assert result.returncode == 0 and "Logged out" in result.stdout, result.stderr
    assert not TokenStore(cli.config_dir).profile_path(cli.server.url).exists()
    answer = httpx.post(f"{cli.server.url}/api/auth/token/refresh/", json={"refresh": refresh}, timeout=10)
    assert answer.status_code == 401
    again = cli("logout")
    assert again.returncode == 0 and "Not logged in" in again.stdout
    assert cli("jobs", "list").returncode == 3


def test_not_logged_in_is_exit_3_and_says_how_to_log_in(live_server: LiveServer, config_dir: Path) -> None:
    result = Cli(live_server, config_dir)("jobs", "list")
    assert result.returncode == 3
    assert "appbuilder-tui login" in one_line_error(result)


def test_unreachable_server_is_exit_5(config_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    TokenStore(config_dir).save(StoredTokens(url, "someone", "a.b.c", "d.e.f"))
    result = run_cli("--server", url, "apps", "list", config_dir=config_dir)
    assert result.returncode == 5
    assert "connection refused" in one_line_error(result)


def test_bad_server_url_is_a_usage_error(config_dir: Path) -> None:
    result = run_cli("--server", "nonsense", "jobs", "list", config_dir=config_dir)
    assert result.returncode == 2
    assert "'nonsense' is not a server URL" in one_line_error(result)


def test_env_access_token_works_and_is_never_written(live_server: LiveServer, fresh_user: dict,
                                                    tmp_path: Path) -> None:
    config_dir = tmp_path / "never-created"
    env = {"APPBUILDER_TUI_TOKEN": fresh_user["access"]}
    created = run_cli("--server", live_server.url, "jobs", "create", "From CI", config_dir=config_dir,
                      env=env)
    assert created.returncode == 0, created.stderr
    listed = run_cli("--server", live_server.url, "jobs", "list", config_dir=config_dir, env=env)
    assert listed.returncode == 0 and "From CI" in listed.stdout
    assert not config_dir.exists()


def test_env_refresh_token_alone_is_enough(live_server: LiveServer, fresh_user: dict, tmp_path: Path) -> None:
    env = {"APPBUILDER_TUI_REFRESH_TOKEN": fresh_user["refresh"]}
    result = run_cli("--server", live_server.url, "apps", "list", config_dir=tmp_path / "none", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "No apps."
    assert not (tmp_path / "none").exists()


def test_refused_env_token_is_exit_3_and_not_echoed(live_server: LiveServer, tmp_path: Path) -> None:
    bogus = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJlLW5vdC12YWxpZA"
    result = run_cli("--server", live_server.url, "jobs", "list", config_dir=tmp_path,
                     env={"APPBUILDER_TUI_TOKEN": bogus})
    assert result.returncode == 3
    line = one_line_error(result)
    assert "APPBUILDER_TUI_TOKEN" in line and bogus not in result.stderr + result.stdout


def test_logout_while_the_server_is_down_still_forgets_the_session(config_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    TokenStore(config_dir).save(StoredTokens(url, "someone", "a.b.c", "d.e.f"))
    result = run_cli("--server", url, "logout", config_dir=config_dir)
    assert result.returncode == 0 and "Logged out" in result.stdout
    assert "could not revoke it" in one_line_error(result)
    assert TokenStore(config_dir).load(url) is None
