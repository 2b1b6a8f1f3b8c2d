"""The CLI helpers as real subprocesses against the live server, over a saved session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


@pytest.fixture
async def session(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> list[str]:
    """Saves a session in token_dir; returns the common CLI options."""
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    await client.aclose()
    return ["--server", live_server.url, "--config-dir", str(token_dir)]


async def test_jobs_create_then_list_json(session: list[str]) -> None:
    created = cli(*session, "jobs", "create", "A todo app from the CLI")
    assert created.returncode == 0, created.stderr
    assert "Created job #" in created.stdout
    listed = cli(*session, "jobs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    jobs = json.loads(listed.stdout)
    assert [job["initial_prompt"] for job in jobs] == ["A todo app from the CLI"]
    assert jobs[0]["status"] == "collecting"


async def test_apps_list_json(session: list[str]) -> None:
    listed = cli(*session, "apps", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


async def test_last_server_is_used_without_server_flag(session: list[str]) -> None:
    listed = cli("--config-dir", session[3], "jobs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


def test_help_lists_subcommands_and_exit_codes() -> None:
    result = cli("--help")
    assert result.returncode == 0
    for word in ("--demo", "--server", "--profile", "--dev", "server", "login", "logout", "jobs", "apps",
                 "messages", "config"):
        assert word in result.stdout
    codes = result.stdout.split("exit codes:")[1]
    for code, meaning in (("0", "ok"), ("1", "error"), ("2", "usage"), ("3", "not logged in"),
                          ("4", "not found"), ("5", "server unavailable"), ("6", "forbidden")):
        assert f"  {code}  {meaning}" in codes


def test_every_jobs_action_has_help() -> None:
    result = cli("jobs", "--help")
    assert result.returncode == 0
    for action in ("list", "show", "create", "edit", "chat", "start", "retry", "watch", "delete", "purge"):
        assert action in result.stdout


def test_server_subcommand_passes_arguments() -> None:
    result = cli("server", "--help")
    assert result.returncode == 0
    assert "--seed-demo" in result.stdout and "--allow-purge" in result.stdout


async def test_demo_server_seeds_logs_in_and_cleans_up(token_dir: Path) -> None:
    from tests.tui.conftest import until
    from tui.app import AppBuilderApp
    from tui.demo import DEMO_USER, DemoServer
    from tui.screens.dashboard import DashboardScreen

    server = DemoServer(speed=0.01).start()
    try:
        assert server.proc is not None and server.proc.poll() is None
        client = await logged_in_client(server.url, server.token_dir, *DEMO_USER)
        info = await client.server_info()
        assert info.allow_job_purge
        app = AppBuilderApp(client, dev_mode=True)  # as run_demo does
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen)
                        and app.screen.state == "ready", what="seeded dashboard")
            assert app.dev_mode and len(app.screen.jobs) > 0  # type: ignore[attr-defined]
        await client.aclose()
    finally:
        directory, proc = server.directory, server.proc
        server.stop()
    assert proc is not None and proc.poll() is not None
    assert not directory.exists()
