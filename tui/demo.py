"""`--demo`: a throwaway reference server (seeded, purge allowed) in a temp dir, logged in as demo/demo.

The temp dir goes when the demo ends, also when the terminal is closed (SIGHUP) or the process is told to
stop (SIGTERM); a dir left by a demo that was killed outright is removed by the next demo (each dir names
its owner's pid)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx

READY_LINE = "appbuilder server listening on"
PREFIX = "appbuilder-demo-"
OWNER_FILE = "owner.pid"
HANG_UP_GRACE = 10.0  # seconds the app has to end after a hang-up before the process goes
DEMO_USER = ("demo", "demo-password")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(root: Path | None = None) -> list[Path]:
    """Remove demo dirs whose owner process is gone (a demo killed without cleaning up); returns them."""
    removed: list[Path] = []
    for directory in Path(root or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            owner = int((directory / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue  # not ours to judge (an older demo, or one still being created)
        if owner != os.getpid() and not alive(owner):
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


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
        self.directory = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.directory / OWNER_FILE).write_text(str(os.getpid()))
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
        """End the server and remove the data; safe to call twice and from the hang-up thread."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
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

    remove_stale()
    started = time.monotonic()
    server = DemoServer()
    print(f"Starting the demo server on {server.url} (migrating and seeding a fresh database: a few "
          f"seconds)…\nDemo data: {server.directory} (removed when the demo ends)", flush=True)
    loop = asyncio.get_running_loop()
    app: AppBuilderApp | None = None

    def hang_up() -> None:
        """Remove the data first, then give the app a moment to end; a shutdown stuck on the dead terminal
        (seen: a thread join that never returns) must not leave the process behind."""
        server.stop()
        time.sleep(HANG_UP_GRACE)
        os._exit(128 + signal.SIGHUP)

    def stop(signum: int, _frame: object) -> None:  # a plain handler: it runs even while the loop is blocked
        threading.Thread(target=hang_up, name="demo-hang-up", daemon=True).start()
        if app is not None and app.is_running:
            loop.call_soon_threadsafe(app.exit)
        else:
            raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGHUP, signal.SIGTERM)}
    try:
        with server:
            ready = time.monotonic() - started
            print(f"Server ready in {ready:.1f}s; logging in as {DEMO_USER[0]}…", flush=True)
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
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print(f"Demo data removed ({server.directory}).", flush=True)
    return 0
