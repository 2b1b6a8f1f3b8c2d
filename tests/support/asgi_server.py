"""A reference server process started the way a deployment starts one: a stock ASGI server (uvicorn or
daphne) on `server.asgi:application`, configured by the environment alone (docs/deploy.md)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import ClassVar

from tests.support.live_server import LiveServer


@dataclass
class AsgiServer(LiveServer):
    """`python -m uvicorn|daphne server.asgi:application`; `extra_env` carries DATABASE_URL, REDIS_URL...
    `runner_mark` needs one process (workers=1)."""

    reference: ClassVar[bool] = False  # no --lifeline and no "listening" line from a stock ASGI server
    program: str = "uvicorn"
    workers: int = 1  # uvicorn --workers N: N processes behind one port

    def command(self) -> list[str]:
        if self.program == "daphne":
            return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "-v", "1",
                    "server.asgi:application"]
        return [sys.executable, "-m", "uvicorn", "server.asgi:application", "--host", "127.0.0.1",
                "--port", str(self.port), "--ws", "websockets-sansio", "--lifespan", "on",
                "--workers", str(self.workers)]

    @property
    def runner_mark(self) -> str:
        """The part of this process's job-runner id (server/jobs/lease.py) that names its pid."""
        assert self.proc is not None
        return f":{self.proc.pid}:"
