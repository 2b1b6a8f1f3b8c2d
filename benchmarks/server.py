"""The reference server for benchmarks: `python -m server` on a free loopback port, DB in a temp dir.

Seeding happens before the first start (`seed()` runs benchmarks/seed.py in a subprocess), so running builds
in the seeded data are resumed by the server and really progress while the TUI watches them.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tui.server_process import ROOT, TempServer, child_env

USER, PASSWORD = "bench", "bench-password-1"


class BenchServer(TempServer):
    """One reference server process; `stop()` ends it and removes its temp dir (DB, log, TUI config).

    Access tokens live an hour so a long benchmark's own REST calls never need a refresh."""

    grace = 15.0

    def __init__(self, speed: float = 10.0, flood: bool = False, access_log: bool = False) -> None:
        super().__init__("appbuilder-bench-")
        self.speed, self.flood, self.access_log = speed, flood, access_log
        self.secret = secrets.token_hex(32)  # the seed script and the server sign with the same key

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def env(self) -> dict[str, str]:
        """What the seed script and the server share: the database and the signing key."""
        return {"APPBUILDER_DB": str(self.db_path), "APPBUILDER_SECRET_KEY": self.secret}

    def options(self) -> list[str]:
        return ["--speed", str(self.speed), "--access-lifetime", "3600",
                *(["--allow-flood"] if self.flood else []), *(["--access-log"] if self.access_log else [])]

    def seed(self, jobs: int, running: int = 0, newest_title: str = "") -> dict[str, int]:
        """Migrate and fill the DB (benchmarks/seed.py); returns its counts. Call before start()."""
        argv = [sys.executable, "-m", "benchmarks.seed", USER, PASSWORD, str(jobs), str(running),
                newest_title]
        out = subprocess.run(argv, cwd=ROOT, env=child_env(self.env()), capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"seeding failed: {out.stderr[-2000:]}")
        return {k: int(v) for k, v in (item.split("=") for item in out.stdout.split())}

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

    def save_session(self, url: str | None = None) -> Path:
        """Log in through the TUI's own token store, so `appbuilder-tui --config-dir` starts logged in (to
        `url`, a proxy in front of this server, if given)."""
        import asyncio

        from tui.services.client import ApiClient
        from tui.services.tokens import TokenStore

        async def login() -> None:
            client = ApiClient(url or self.url, token_store=TokenStore(self.config_dir))
            try:
                await client.login(USER, PASSWORD)
            finally:
                await client.aclose()

        asyncio.run(login())
        return self.config_dir
