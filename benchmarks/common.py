"""Shared pieces of the benchmarks: a live reference server, a logged-in client, 10k seeded jobs, stats."""

from __future__ import annotations

import contextlib
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.live_server import LiveServer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-1"


@contextmanager
def live_server(**options: Any) -> Iterator[LiveServer]:
    """A `python -m server` subprocess on a free loopback port with a throwaway SQLite file."""
    with tempfile.TemporaryDirectory(prefix="appbuilder-bench-") as folder:
        server = LiveServer(db_path=Path(folder) / "db.sqlite3", **options).start()
        try:
            yield server
        finally:
            server.stop()


async def client_for(server: LiveServer, username: str, token_dir: Path) -> Any:
    """Register `username` and return an ApiClient logged in with a session saved in `token_dir`."""
    from tui.services.client import ApiClient
    from tui.services.tokens import TokenStore

    server.register(username, PASSWORD)
    client = ApiClient(server.url, token_store=TokenStore(token_dir))
    await client.login(username, PASSWORD)
    return client


SEED = """
import django, sys
from datetime import timedelta
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from server.jobs.models import Job
owner = get_user_model().objects.get(username=sys.argv[1])
words = ("todo", "weather", "recipes", "chess")
states = ("done", "collecting", "failed", "done")
now = timezone.now()
Job.objects.bulk_create([Job(owner=owner, title=f"Project {i} about {words[i % 4]}",
                             initial_prompt=f"Project {i}: an app about {words[i % 4]}",
                             status=states[i % 4]) for i in range(1, int(sys.argv[2]) + 1)], batch_size=2000)
"""


def seed_jobs(server: LiveServer, username: str, count: int) -> None:
    """Insert `count` jobs for `username` straight into the server's database (REST would take minutes)."""
    env = {**os.environ, "APPBUILDER_DB": str(server.db_path), "DJANGO_SETTINGS_MODULE": "server.settings"}
    subprocess.run([sys.executable, "-c", SEED, username, str(count)], check=True, cwd=ROOT, env=env)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def summary(samples: Sequence[float]) -> str:
    """median / p95 / max of durations in seconds, in milliseconds."""
    return (f"median {ms(statistics.median(samples))}, p95 {ms(percentile(samples, 0.95))}, "
            f"max {ms(max(samples))} (n={len(samples)})")


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(name: str, value: str, goal: str = "") -> None:
    print(f"  {name:<44} {value}" + (f"   [goal {goal}]" if goal else ""), flush=True)


class PtyTui:
    """`appbuilder-tui --server URL` on a real pseudo-terminal (120x40): keys in, screen bytes out."""

    def __init__(self, server_url: str, config_dir: Path, size: tuple[int, int] = (120, 40)) -> None:
        import fcntl
        import pty
        import struct
        import termios

        env = {**os.environ, "TERM": "xterm-256color", "APPBUILDER_TUI_LOG_DIR": str(config_dir / "logs")}
        argv = [sys.executable, "-m", "tui", "--server", server_url, "--config-dir", str(config_dir)]
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child becomes the TUI
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.screen = b""

    def _read(self, wait: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 1 << 20)
        except OSError:
            raise RuntimeError(f"the TUI exited; last output: {self.screen[-400:]!r}") from None
        self.screen = (self.screen + chunk)[-(1 << 20):]
        return chunk

    def wait_for(self, marker: bytes, timeout: float = 30.0) -> float:
        """Seconds from now until `marker` is in the output (searching only output written from now on)."""
        start, seen = time.perf_counter(), b""
        while marker not in seen:
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"{marker!r} not on screen in {timeout}s; last output {seen[-400:]!r}")
            seen += self._read(0.02)
        return time.perf_counter() - start

    def key_to_output(self, data: bytes, timeout: float = 5.0) -> float:
        """Send a key; seconds until the program writes an update (then drain until it is quiet)."""
        self.drain()
        start = time.perf_counter()
        os.write(self.fd, data)
        while not self._read(timeout):
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"no screen update after {data!r}")
        elapsed = time.perf_counter() - start
        self.drain()
        return elapsed

    def type_until(self, data: bytes, marker: bytes, timeout: float = 5.0) -> float:
        """Send a key; seconds until `marker` is on screen."""
        self.drain()
        start = time.perf_counter()
        os.write(self.fd, data)
        seen = b""
        while marker not in seen:
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"{marker!r} not on screen after {data!r}")
            seen += self._read(0.01)
        return time.perf_counter() - start

    def drain(self, quiet: float = 0.05) -> None:
        while self._read(quiet):
            pass

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc")

    def close(self) -> None:
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
