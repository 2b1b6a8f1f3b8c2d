"""The launcher (tui/server_process.py) against what goes wrong around a server process: its launcher killed
outright (the server must not live on as an orphan that keeps its port, its data or a CPU: a cancelled CI
run, a demo killed with -9), and its free port taken by another server before it could bind."""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

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



class MetaAnswerer(http.server.BaseHTTPRequestHandler):
    """Another program on the port: it answers GET /api/meta/ with 200 like a ready server would."""

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_a_port_taken_by_another_server_is_a_start_error_not_a_ready_server() -> None:
    from tui.server_process import StartError, TempServer

    squatter = http.server.ThreadingHTTPServer(("127.0.0.1", 0), MetaAnswerer)
    thread = threading.Thread(target=squatter.serve_forever, daemon=True)
    thread.start()
    server = TempServer("launcher-test-", timeout=60)
    server.port = squatter.server_address[1]  # the free port, taken between the pick and the bind
    try:
        with pytest.raises(StartError, match="exited"):
            server.start()
        assert server.proc is None
    finally:
        server.stop()
        squatter.shutdown()
        squatter.server_close()


def test_the_launcher_waits_for_the_line_the_server_prints() -> None:
    from server.run import READY
    from tui.server_process import HOST, LISTENING

    assert READY.format(host=HOST, port=8123) == LISTENING.format(url=f"http://{HOST}:8123")


def test_a_lifeline_that_is_not_an_inherited_pipe_is_refused_in_one_line() -> None:
    for value in ("999", "0", "-1"):  # not open; stdin (/dev/null here, or a terminal: not a pipe); not an fd
        done = subprocess.run([sys.executable, "-m", "server", "--lifeline", value], capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL,
                              cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 2, (value, done.stderr)
        assert "--lifeline must be the read end of a pipe" in done.stderr
        assert "Traceback" not in done.stderr
