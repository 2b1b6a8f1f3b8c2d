"""Start the reference backend as a real subprocess on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

READY_LINE = "appbuilder server listening on"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "server", "--host", "127.0.0.1", "--port", str(self.port),
               "--db", str(self.db_path), "--dialect", self.dialect, "--speed", str(self.speed)]
        if self.allow_purge:
            cmd.append("--allow-purge")
        if self.allow_flood:
            cmd.append("--allow-flood")
        if self.access_log:
            cmd.append("--access-log")
        if self.access_lifetime is not None:
            cmd += ["--access-lifetime", str(self.access_lifetime)]
        if self.refresh_lifetime is not None:
            cmd += ["--refresh-lifetime", str(self.refresh_lifetime)]
        if self.seed_demo:
            cmd.append("--seed-demo")
        if self.auth_rate is not None:
            cmd += ["--auth-rate", self.auth_rate]
        if self.refresh_rate is not None:
            cmd += ["--refresh-rate", self.refresh_rate]
        return cmd

    def start(self, timeout: float = 30.0) -> LiveServer:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.extra_env}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.log_path = self.log_path or self.db_path.with_suffix(".log")
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                                     cwd=Path(__file__).resolve().parents[2])
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/api/meta/", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        """Hard kill (SIGKILL), as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    def restart(self) -> LiveServer:
        self.stop()
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

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
