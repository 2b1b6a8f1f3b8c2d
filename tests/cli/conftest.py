"""The CLI as a real subprocess against the real server; each test has its own config dir and user."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]


def cli_env(config_dir: Path | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any APPBUILDER_TUI_* setting, plus the config dir and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPBUILDER_TUI_")}
    if config_dir is not None:
        env["APPBUILDER_TUI_CONFIG_DIR"] = str(config_dir)
    return {**env, **(extra or {})}


def run_cli(*args: str, config_dir: Path | None = None, stdin: str | None = None,
            env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m tui ARGS` as a subprocess, stdin given (empty by default: never a terminal)."""
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT,
                          input=stdin or "", timeout=timeout, env=cli_env(config_dir, env))


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a failed command: exactly one line, no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


class Cli:
    """Runs commands as one logged-in user of one server, in its own config dir."""

    def __init__(self, server: LiveServer, config_dir: Path) -> None:
        self.server = server
        self.config_dir = config_dir

    def __call__(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return run_cli("--server", self.server.url, *args, config_dir=self.config_dir, **kwargs)

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def login(self, username: str, password: str) -> Cli:
        result = self("login", "--username", username, "--password-stdin", stdin=password + "\n")
        assert result.returncode == 0, result.stderr
        return self

    def new_job(self, prompt: str = "A todo app for the CLI tests") -> dict:
        return self.json("jobs", "create", prompt)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def cli(live_server: LiveServer, fresh_user: dict, config_dir: Path) -> Cli:
    """A logged-in CLI for a brand-new user of the shared server."""
    return Cli(live_server, config_dir).login(fresh_user["username"], fresh_user["password"])


@pytest.fixture
def make_cli(config_dir: Path) -> Callable[[LiveServer], Cli]:
    return lambda server: Cli(server, config_dir)
