"""The first frame before Textual (issue 14, first paint): written on a real terminal before Textual is
imported, painted over by Textual's own frame, and never left behind on the terminal."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client
from tests.tui.test_pty import tui_command
from tui import early_splash
from tui.early_splash import ENTER, LEAVE, TEXT, EarlySplash, frame

SPLASH = TEXT.encode()
TEXTUAL_STARTED = b"\x1b[?1000h"  # Textual's driver enables the mouse as it starts


def test_frame_centres_the_text_and_shortens_it_on_a_narrow_terminal() -> None:
    assert frame(80, 24) == f"{ENTER}\x1b[12;30H\x1b[2m{TEXT}\x1b[0m"
    assert frame(120, 40).startswith(f"{ENTER}\x1b[20;50H")
    narrow = frame(10, 3)
    assert narrow.endswith("\x1b[2mappbuilde…\x1b[0m") and "\x1b[2;1H" in narrow


def test_not_wanted_off_a_terminal_or_under_textual_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not early_splash.wanted({"TERM": "xterm-256color"})  # pytest's stdout is not a terminal
    with terminal_as_stdio(monkeypatch):
        assert early_splash.wanted({"TERM": "xterm-256color"})
        assert not early_splash.wanted({"TERM": "dumb"})
        assert not early_splash.wanted({"TERM": "xterm", "TEXTUAL_DRIVER": "textual.drivers.web_driver:x"})


class Pty:
    """A pseudo-terminal's two ends: `stdio` for the program, `read()` what it wrote."""

    def __init__(self) -> None:
        self.main, self.sub = os.openpty()
        fcntl.ioctl(self.sub, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def read(self) -> bytes:
        out = b""
        while select.select([self.main], [], [], 0)[0]:
            out += os.read(self.main, 1 << 16)
        return out


@contextlib.contextmanager
def terminal_as_stdio(monkeypatch: pytest.MonkeyPatch) -> Iterator[Pty]:
    term = Pty()
    files: list[IO[str]] = [os.fdopen(os.dup(term.sub), mode) for mode in ("r", "w")]
    monkeypatch.setattr(sys, "stdin", files[0])
    monkeypatch.setattr(sys, "stdout", files[1])
    try:
        yield term
    finally:
        monkeypatch.undo()
        for file in files:
            file.close()
        os.close(term.main)
        os.close(term.sub)


def test_withdraw_leaves_the_alternate_screen_unless_textual_took_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    with terminal_as_stdio(monkeypatch) as term:
        splash = EarlySplash()
        splash.paint()
        assert term.read() == frame(80, 24).encode()
        splash.withdraw()  # the process ends before Textual's driver started
        assert term.read() == LEAVE.encode()
        splash.withdraw()
        assert term.read() == b""  # once

        splash = EarlySplash()
        splash.paint()
        term.read()
        splash.handed_over()  # Textual's driver owns the screen: it leaves the alternate screen itself
        splash.withdraw()
        assert term.read() == b""


def read_until(fd: int, wanted: bytes, out: bytearray, timeout: float = 30.0, after: int = 0) -> None:
    """Read until `wanted` is in what was read, from `after` on."""
    deadline = time.monotonic() + timeout
    while out.find(wanted, after) < 0:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {wanted!r}; "
                                 f"last {bytes(out[-300:])!r}")
        if select.select([fd], [], [], 0.1)[0]:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:  # the program has exited and closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"the program exited before writing {wanted!r}; "
                                     f"last {bytes(out[-300:])!r}")
            out += chunk


def read_to_exit(pid: int, fd: int, out: bytearray, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                chunk = b""
            out += chunk
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"the TUI did not exit within {timeout:.0f}s; last {bytes(out[-300:])!r}")


async def tui_on_pty(server: LiveServer, user: dict, tmp_path: Path, title: str, argv: list[str],
                    **extra_env: str) -> tuple[int, int, int]:
    """(pid, pty fd, job id): the user's saved session with one job titled `title`, then `argv` (the
    program, then its arguments) with `--server` on an 80x24 pseudo-terminal."""
    config = tmp_path / "config"
    client = await logged_in_client(server.url, config, user["username"], user["password"])
    job = await client.create_job(title)
    await client.aclose()
    env = {**os.environ, "APPBUILDER_TUI_CONFIG_DIR": str(config), "TERM": "xterm-256color",
           "APPBUILDER_TUI_LOG_DIR": str(tmp_path / "log"), "PYTHONPATH": str(Path.cwd()), **extra_env}
    for name in ("COLUMNS", "LINES", "TEXTUAL_DRIVER"):
        env.pop(name, None)
    argv = [*argv, "--server", server.url]
    pid, fd = pty.fork()
    if pid == 0:  # the child: an 80x24 terminal, then the real program
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execvpe(argv[0], argv, env)
    return pid, fd, job.id


def stop(pid: int, fd: int) -> None:
    with contextlib.suppress(ChildProcessError, ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)


async def test_splash_before_textual_then_rows_then_a_clean_exit(live_server: LiveServer, fresh_user: dict,
                                                                 tmp_path: Path) -> None:
    pid, fd, _ = await tui_on_pty(live_server, fresh_user, tmp_path, "A splash-test tracker for bees",
                                  tui_command())
    out = bytearray()
    try:
        read_until(fd, TEXTUAL_STARTED, out)
        splash, started = out.find(SPLASH), out.find(TEXTUAL_STARTED)
        read_until(fd, b"A splash-test", out, after=started)  # the newest row, drawn by Textual
        assert 0 <= splash < started, "the splash is not the first frame, before Textual's driver started"
        assert out.startswith(frame(80, 24).encode()), f"first bytes: {bytes(out[:80])!r}"
        assert out.find(SPLASH, started) == -1, "Textual painted the early splash again"
        os.write(fd, b"q")
        assert read_to_exit(pid, fd, out) == 0
    finally:
        stop(pid, fd)
    ending = bytes(out[out.rfind(TEXTUAL_STARTED):])
    assert ending.count(b"\x1b[?1049l") == 1, "the alternate screen is left once, by Textual"
    assert not ending.endswith(LEAVE.encode()), "the early splash withdrew after Textual had left"


GATED_START = """
import importlib, os, select, sys, threading
main = importlib.import_module("tui.cli.main")
early = importlib.import_module("tui.early_splash")
painted = threading.Event()
paint_rows = early.EarlySplash.paint_rows
def paint_and_tell(self, *args, **kwargs):
    paint_rows(self, *args, **kwargs)
    if self.rows_shown:
        painted.set()
early.EarlySplash.paint_rows = paint_and_tell
import_app = main.import_app
def import_after_the_rows():  # the race decided for the test: the rows come before Textual is imported
    if not painted.wait(30):
        raise SystemExit("the early rows were never painted")
    if os.environ.get("GATE_ON_KEY") and not select.select([sys.stdin], [], [], 30)[0]:
        raise SystemExit("no key was typed on the early rows")  # (the key stays unread, for Textual)
    import_app()
main.import_app = import_after_the_rows
sys.exit(main.main())
"""
GATED = [sys.executable, "-c", GATED_START]


async def test_rows_before_textual_then_textual_draws_the_same_rows_over_them(
        live_server: LiveServer, fresh_user: dict, tmp_path: Path) -> None:
    pid, fd, _ = await tui_on_pty(live_server, fresh_user, tmp_path, "An early-rows tracker for voles",
                                  GATED)
    out = bytearray()
    title = b"An early-rows tracker"
    try:
        read_until(fd, TEXTUAL_STARTED, out)
        started = out.find(TEXTUAL_STARTED)
        early = out.find(title)
        assert 0 <= out.find(SPLASH) < early < started, "no rows between the splash and Textual's start"
        assert f"appbuilder · projects · {fresh_user['username']} @ ".encode() in out[:started]
        read_until(fd, title, out, after=started)  # Textual's dashboard
        assert b"connecting to" not in out[started:], "Textual's splash was drawn over the early rows"
        os.write(fd, b"q")
        assert read_to_exit(pid, fd, out) == 0
    finally:
        stop(pid, fd)
    assert bytes(out).count(b"\x1b[?1049l") == 1, "the alternate screen is left once, by Textual"


async def test_enter_typed_on_the_early_rows_opens_the_job(live_server: LiveServer, fresh_user: dict,
                                                          tmp_path: Path) -> None:
    """The terminal shows the rows before keys work: a key typed then is kept (no echo over the frame,
    Enter still Enter) and acts on the dashboard once Textual has drawn it."""
    pid, fd, job_id = await tui_on_pty(live_server, fresh_user, tmp_path, "An early-enter tracker for stoats",
                                       GATED, GATE_ON_KEY="1")
    out = bytearray()
    try:
        read_until(fd, b"An early-enter tracker", out)  # the early rows: Textual is not imported yet
        assert TEXTUAL_STARTED not in out
        os.write(fd, b"\r")
        read_until(fd, TEXTUAL_STARTED, out)
        started = out.find(TEXTUAL_STARTED)
        assert b"\r\n" not in out[:started].split(b"An early-enter tracker", 1)[1], "the Enter was echoed"
        read_until(fd, f"#{job_id}  An early-enter tracker".encode(), out, after=started)  # its build screen
    finally:
        stop(pid, fd)


def test_keys_are_held_raw_from_the_splash_and_the_modes_given_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    with terminal_as_stdio(monkeypatch) as term:
        before = termios.tcgetattr(term.sub)
        splash = EarlySplash()
        splash.paint()
        held = termios.tcgetattr(term.sub)
        assert not held[3] & (termios.ECHO | termios.ICANON) and not held[0] & termios.ICRNL
        assert held[3] & termios.ISIG, "ctrl+c must still interrupt a start"
        splash.give_back_keys()  # as run_tui does before Textual's driver saves the modes
        assert termios.tcgetattr(term.sub) == before
        splash.paint()
        splash.withdraw()  # Textual never started: the modes come back with the normal screen
        assert termios.tcgetattr(term.sub) == before
