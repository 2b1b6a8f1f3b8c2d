"""The reference server for benchmarks: `python -m server` on a free loopback port, DB in a temp dir.

Seeding happens before the first start (`seed()` runs benchmarks/seed.py in a subprocess), so running builds
in the seeded data are resumed by the server and really progress while the TUI watches them.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "bench", "bench-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BenchServer:
    """One reference server process; `stop()` ends it and removes its temp dir (DB, log, TUI config).

    Access tokens live an hour so a long benchmark's own REST calls never need a refresh."""

    def __init__(self, speed: float = 10.0, flood: bool = False, access_log: bool = False) -> None:
        self.speed, self.flood, self.access_log = speed, flood, access_log
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="appbuilder-bench-"))
        self.db_path = self.directory / "db.sqlite3"
        self.log_path = self.directory / "server.log"
        self.config_dir = self.directory / "config"
        self.secret = secrets.token_hex(32)  # the seed script and the server sign with the same key
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def env(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "APPBUILDER_DB": str(self.db_path),
               "APPBUILDER_SECRET_KEY": self.secret}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    def seed(self, jobs: int, running: int = 0, newest_title: str = "") -> dict[str, int]:
        """Migrate and fill the DB (benchmarks/seed.py); returns its counts. Call before start()."""
        argv = [sys.executable, "-m", "benchmarks.seed", USER, PASSWORD, str(jobs), str(running),
                newest_title]
        out = subprocess.run(argv, cwd=ROOT, env=self.env(), capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"seeding failed: {out.stderr[-2000:]}")
        return {k: int(v) for k, v in (item.split("=") for item in out.stdout.split())}

    def start(self, timeout: float = 60.0) -> BenchServer:
        cmd = [sys.executable, "-m", "server", "--host", "127.0.0.1", "--port", str(self.port),
               "--db", str(self.db_path), "--speed", str(self.speed), "--access-lifetime", "3600"]
        cmd += ["--allow-flood"] if self.flood else []
        cmd += ["--access-log"] if self.access_log else []
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env(), cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/meta/", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not answer within {timeout:.0f}s: {self.log()[-2000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_idle(self, limit: float = 90.0) -> float:
        """Wait (at most `limit` s) until the server used < 10 % of a CPU over half a second: requests it is
        still answering for a previous client must not slow the next one. Returns the seconds waited."""
        from benchmarks.common import cpu_seconds

        started = time.monotonic()
        while time.monotonic() - started < limit:
            before = cpu_seconds(self.pid)
            time.sleep(0.5)
            if cpu_seconds(self.pid) - before < 0.05:
                break
        return time.monotonic() - started

    def log_offset(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def requests_since(self, offset: int) -> list[str]:
        """Request lines (`GET /api/...`) in the access log after `offset` (needs access_log=True)."""
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
        return re.findall(r'"((?:GET|POST|PATCH|PUT|DELETE) \S+)', text)

    def login(self) -> dict[str, str]:
        """Tokens for the seeded user (raw HTTP, not through the client under test)."""
        answer = httpx.post(f"{self.url}/api/auth/login/", json={"username": USER, "password": PASSWORD},
                            timeout=30)
        answer.raise_for_status()
        return answer.json()

    def save_session(self) -> Path:
        """Log in through the TUI's own token store, so `appbuilder-tui --config-dir` starts logged in."""
        import asyncio

        from tui.services.client import ApiClient
        from tui.services.tokens import TokenStore

        async def login() -> None:
            client = ApiClient(self.url, token_store=TokenStore(self.config_dir))
            try:
                await client.login(USER, PASSWORD)
            finally:
                await client.aclose()

        asyncio.run(login())
        return self.config_dir

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
