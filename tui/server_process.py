"""Start and stop the reference server (`python -m server`) as a child process on a free loopback port.

The one launcher behind the demo (tui/demo.py), the end-to-end tests (tests/support/live_server.py) and the
benchmarks (benchmarks/server.py). Stdlib and httpx only: importing it does not load Django.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]  # the checkout, where `python -m server` finds the package
READY_PATH = "/api/meta/"
LISTENING = "appbuilder server listening on {url}"  # server/run.py's READY line, once it has bound its port
POLL = 0.05  # seconds between readiness checks


class StartError(RuntimeError):
    """A child process did not become ready; the message says what was awaited and how it ended, then the
    end of the child's log."""

    @property
    def summary(self) -> str:
        """One line for a terminal: what happened and the child's last line of output."""
        first, *rest = str(self).splitlines() or [""]
        last = next((line.strip() for line in reversed(rest) if line.strip()), "")
        return f"{first.rstrip(':')}; last output: {last}" if last else first.rstrip(":")


def free_port() -> int:
    """A TCP port free on loopback now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_command(port: int, db: Path | str, *options: str) -> list[str]:
    """`python -m server` on loopback `port` with its SQLite database at `db`, plus `options`."""
    return [sys.executable, "-m", "server", "--host", HOST, "--port", str(port), "--db", str(db), *options]


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment for a server child: unbuffered output, and no DJANGO_SETTINGS_MODULE of ours."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(extra or {})}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def read_log(path: Path | None) -> str:
    """A child's whole log ("" before it has one)."""
    return path.read_text(errors="replace") if path is not None and path.exists() else ""


def log_tail(path: Path | None, chars: int = 2000) -> str:
    """The end of a child's log, for error messages."""
    return read_log(path)[-chars:].strip() or "(no output)"


def spawn(argv: Sequence[str], log_path: Path, *, env: Mapping[str, str] | None = None, cwd: Path = ROOT,
          new_session: bool = False, user: int | None = None, group: int | None = None,
          extra_groups: list[int] | None = None, pass_fds: Sequence[int] = ()) -> subprocess.Popen[bytes]:
    """Start `argv` with stdout and stderr appended to `log_path` (as `user`/`group` when given)."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(list(argv), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                start_new_session=new_session, user=user, group=group,
                                extra_groups=extra_groups, pass_fds=tuple(pass_fds))


_lifelines: dict[int, int] = {}  # server pid -> the write end of its lifeline pipe, held while it runs


def spawn_server(argv: Sequence[str], log_path: Path,
                 env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Spawn `python -m server` tied to this process by a pipe (`--lifeline`): this process holds the only
    write end, so when it ends, however it ends (SIGKILL included), the server reads end of file and stops
    instead of living on as an orphan that holds its port and data. `stop_process` closes the pipe."""
    read_end, write_end = os.pipe()  # both ends non-inheritable: no other child gets a copy
    try:
        proc = spawn([*argv, "--lifeline", str(read_end)], log_path, env=env, pass_fds=(read_end,))
    except BaseException:
        os.close(write_end)
        raise
    finally:
        os.close(read_end)
    _lifelines[proc.pid] = write_end
    return proc


def cut_lifeline(proc: subprocess.Popen[bytes]) -> None:
    """Close the write end of `proc`'s lifeline (if it has one): the server then stops by itself."""
    write_end = _lifelines.pop(proc.pid, None)
    if write_end is not None:
        os.close(write_end)


def wait_until(ready: Callable[[], bool], *, what: str, timeout: float,
               proc: subprocess.Popen[bytes] | None = None, log_path: Path | None = None,
               error: type[Exception] = StartError) -> None:
    """Poll `ready()` until it is true; raise `error` saying `what` was awaited when `proc` exits first or
    `timeout` seconds pass (the child is left running: stopping it is the caller's choice)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise error(f"the process exited with code {proc.returncode} while waiting for {what}:\n"
                        f"{log_tail(log_path)}")
        if ready():
            return
        if time.monotonic() >= deadline:
            raise error(f"timed out after {timeout:g}s waiting for {what}:\n{log_tail(log_path)}")
        time.sleep(POLL)


def answers_meta(url: str) -> bool:
    """True when the server at `url` answers GET /api/meta/ with 200."""
    try:
        return httpx.get(f"{url}{READY_PATH}", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def announced(log_path: Path, offset: int, url: str) -> bool:
    """True when the log, past `offset`, holds the server's own "listening on `url`" line: printed once
    *it* has bound the port (another process that took the free port first would answer GET too)."""
    try:
        with open(log_path, "rb") as log:
            log.seek(offset)
            return LISTENING.format(url=url).encode() in log.read()
    except FileNotFoundError:
        return False


def start_server(argv: Sequence[str], url: str, log_path: Path, *, env: Mapping[str, str] | None = None,
                 timeout: float = 60.0, reference: bool = True) -> subprocess.Popen[bytes]:
    """Spawn a server and wait until `url` answers GET /api/meta/; on failure stop it and raise StartError.

    `reference`: argv is `python -m server` (`server_command`): it gets a lifeline and is ready only once it
    printed that it listens on `url`. Otherwise (a stock ASGI server, as a deployment runs one) an answer
    on `url` is all there is to wait for."""
    offset = log_path.stat().st_size if log_path.exists() else 0  # a restart appends to the same log
    if reference:
        proc = spawn_server(argv, log_path, env=child_env(env))
        what = f"the server to print it listens on {url} and answer GET {url}{READY_PATH} with 200"
    else:
        proc = spawn(argv, log_path, env=child_env(env))
        what = f"the server to answer GET {url}{READY_PATH} with 200"

    def ready() -> bool:
        return (not reference or announced(log_path, offset, url)) and answers_meta(url)

    try:
        wait_until(ready, what=what, timeout=timeout, proc=proc, log_path=log_path)
    except BaseException:
        stop_process(proc)
        raise
    return proc


def stop_process(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM,
                 grace: float = 10.0) -> None:
    """Send `sig`, wait up to `grace` seconds, then SIGKILL; a process already gone (or None) is fine."""
    if proc is None:
        return
    try:
        _stop(proc, sig, grace)
    finally:
        cut_lifeline(proc)


def _stop(proc: subprocess.Popen[bytes], sig: int, grace: float) -> None:
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
        except ProcessLookupError:
            pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:  # unkillable (a zombie's parent elsewhere): nothing more we can do
        pass


class TempServer:
    """A reference server whose database, log and client config live in a fresh temp dir, which `stop()`
    removes with the process. Subclasses add server options (`options()`) and environment (`env()`).
    Used as a context manager it is stopped at the end; `start()` is the caller's, after any seeding."""

    grace = 10.0  # seconds the server has to end after SIGTERM

    def __init__(self, prefix: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix=prefix))
        self.db_path = self.directory / "db.sqlite3"
        self.log_path = self.directory / "server.log"
        self.config_dir = self.directory / "config"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def options(self) -> list[str]:
        return []

    def env(self) -> dict[str, str]:
        return {}

    def command(self) -> list[str]:
        return server_command(self.port, self.db_path, *self.options())

    def start(self, timeout: float | None = None) -> Self:
        """Start and wait until it answers; on any failure stop it, remove the dir, and raise."""
        try:
            self.proc = start_server(self.command(), self.url, self.log_path, env=self.env(),
                                     timeout=self.timeout if timeout is None else timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def log(self) -> str:
        return read_log(self.log_path)

    def stop(self) -> None:
        """End the server and remove its dir; safe to call twice and from another thread."""
        proc, self.proc = self.proc, None
        stop_process(proc, grace=self.grace)
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
