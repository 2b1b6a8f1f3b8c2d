"""`--demo`: a throwaway reference server (seeded, purge allowed) in a temp dir, logged in as demo/demo."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

READY_LINE = "appbuilder server listening on"
DEMO_USER = ("demo", "demo-password")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DemoServer:
    """`python -m server` on a free loopback port; stop() ends it and removes the temp dir."""

    def __init__(self, speed: float = 0.4, timeout: float = 60.0) -> None:
        self.speed = speed
        self.timeout = timeout
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="appbuilder-demo-"))
        self.log_path = self.directory / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_dir(self) -> Path:
        return self.directory / "config"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "server", "--host", "127.0.0.1", "--port", str(self.port),
                "--db", str(self.directory / "db.sqlite3"), "--seed-demo", "--allow-purge",
                "--speed", str(self.speed)]

    def start(self) -> DemoServer:
        """Start and wait for the ready line and the meta endpoint; on any failure, clean up and raise."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> DemoServer:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                                         cwd=Path(__file__).resolve().parents[1])
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the demo server exited with code {self.proc.returncode}: {self.tail()}")
            if READY_LINE in self.log() and self.meta_ok():
                return self
            time.sleep(0.05)
        raise RuntimeError(f"the demo server did not start within {self.timeout:.0f}s")

    def meta_ok(self) -> bool:
        try:
            return httpx.get(f"{self.url}/api/meta/", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self) -> str:
        lines = [line for line in self.log().splitlines() if line.strip()]
        return lines[-1] if lines else "no output"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


async def run_demo(dev: bool = True) -> int:
    """Start the server, log in as the demo user, run the TUI; always stops the server."""
    from tui.app import AppBuilderApp
    from tui.services import ServiceError
    from tui.services.client import ApiClient
    from tui.services.tokens import TokenStore

    print("Starting the demo server…", flush=True)
    with DemoServer() as server:
        client = ApiClient(server.url, token_store=TokenStore(server.token_dir))
        try:
            await client.login(*DEMO_USER)
            app = AppBuilderApp(client, dev_mode=dev)
            await app.run_async()
            if app.client is not client:
                await app.client.aclose()
        except ServiceError as err:
            print(f"appbuilder-tui: demo failed: {err.message}", file=sys.stderr)
            return 1
        finally:
            await client.aclose()
    return 0
