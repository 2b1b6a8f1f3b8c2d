"""The reference backend as a real subprocess on a free loopback port, for end-to-end tests
(started and stopped by tui/server_process.py, the launcher the demo and the benchmarks use too)."""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import httpx

from tui.server_process import free_port, read_log, server_command, start_server, stop_process

__all__ = ["LiveServer", "free_port"]


@dataclass
class LiveServer:
    """A `python -m server` process. `restart()` keeps the port and the database."""

    db_path: Path
    port: int = field(default_factory=free_port)
    speed: float = 0.01
    allow_purge: bool = True
    allow_flood: bool = False
    access_log: bool = False
    dialect: str = "documented"
    access_lifetime: float | None = None
    refresh_lifetime: float | None = None
    seed_demo: bool = False
    # The suite logs in hundreds of times from 127.0.0.1; None is the production default (10/min, 60/min).
    auth_rate: str | None = "100000/min"
    refresh_rate: str | None = "100000/min"
    extra_env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    reference: ClassVar[bool] = True  # `python -m server` (see start_server); False for stock ASGI servers

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        flags = {"--allow-purge": self.allow_purge, "--allow-flood": self.allow_flood,
                 "--access-log": self.access_log, "--seed-demo": self.seed_demo}
        options = {"--dialect": self.dialect, "--speed": self.speed,
                   "--access-lifetime": self.access_lifetime, "--refresh-lifetime": self.refresh_lifetime,
                   "--auth-rate": self.auth_rate, "--refresh-rate": self.refresh_rate}
        args = [flag for flag, on in flags.items() if on]
        for name, value in options.items():
            args += [name, str(value)] if value is not None else []
        return server_command(self.port, self.db_path, *args)

    def start(self, timeout: float = 30.0) -> LiveServer:
        self.log_path = self.log_path or self.db_path.with_suffix(".log")
        self.proc = start_server(self.command(), self.url, self.log_path, env=self.extra_env, timeout=timeout,
                                 reference=self.reference)
        return self

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

    def kill(self) -> None:
        """Hard kill (SIGKILL), as a crash would."""
        stop_process(self.proc, signal.SIGKILL)
        self.proc = None

    def restart(self) -> LiveServer:
        self.stop()
        return self.start()

    def log(self) -> str:
        return read_log(self.log_path)

    def register(self, username: str, password: str = "pass-word-123") -> dict:
        """Create a user over real HTTP; returns the register response (user, access, refresh)."""
        r = httpx.post(f"{self.url}/api/auth/register/", json={"username": username, "password": password},
                       timeout=10)
        r.raise_for_status()
        return r.json()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
