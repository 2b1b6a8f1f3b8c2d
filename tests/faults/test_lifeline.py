"""A reference server started by tui/server_process.py stops when the process that started it is gone, even
killed outright: no orphan keeps its port, its data or a CPU (a cancelled CI run, a demo killed with -9)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

LAUNCHER = """
import sys, time
from tui.server_process import TempServer
server = TempServer("lifeline-test-").start()
print(server.proc.pid, server.directory, flush=True)
time.sleep(600)
"""


def gone(pid: int) -> bool:
    """True when `pid` has exited (a zombie waiting for its new parent to reap it counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def await_condition(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.05)


def test_server_stops_when_its_launcher_is_killed() -> None:
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdout=subprocess.PIPE, text=True,
                                cwd=Path(__file__).resolve().parents[2])
    server_pid, directory = None, None
    try:
        assert launcher.stdout is not None
        first = launcher.stdout.readline().split()
        assert first, f"the launcher printed nothing (exit code {launcher.poll()})"
        server_pid, directory = int(first[0]), Path(first[1])
        assert not gone(server_pid), "the server was not running after start()"
        launcher.kill()  # SIGKILL: the launcher runs no clean-up of its own
        launcher.wait(10)
        await_condition(lambda: gone(server_pid), f"server pid {server_pid} to exit after its launcher died")
    finally:
        launcher.kill()
        launcher.wait(10)
        if server_pid is not None and not gone(server_pid):
            os.kill(server_pid, signal.SIGKILL)
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

