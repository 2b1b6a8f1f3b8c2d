"""`--demo`: a throwaway reference server (seeded, purge allowed) in a temp dir, logged in as demo/demo.

The temp dir goes when the demo ends, also when the terminal is closed (SIGHUP) or the process is told to
stop (SIGTERM); a dir left by a demo that was killed outright is removed by the next demo (each dir names
its owner's pid)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from tui.server_process import StartError, TempServer

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


class DemoServer(TempServer):
    """A seeded server (purge allowed) whose temp dir names this process as its owner (see remove_stale)."""

    def __init__(self, speed: float = 0.4, timeout: float = 60.0) -> None:
        super().__init__(PREFIX, timeout)
        self.speed = speed
        (self.directory / OWNER_FILE).write_text(str(os.getpid()))

    @property
    def token_dir(self) -> Path:
        return self.config_dir

    def options(self) -> list[str]:
        return ["--seed-demo", "--allow-purge", "--speed", str(self.speed)]


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
        with server.start():
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
    except StartError as err:
        print(f"appbuilder-tui: the demo server did not start: {err.summary}", file=sys.stderr)
        return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print(f"Demo data removed ({server.directory}).", flush=True)
    return 0
