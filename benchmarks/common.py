"""Shared pieces: the TUI on a real pty, /proc readers (CPU, RSS, load), statistics and the row printer.

Every row prints wall time and the measured process's own CPU time (user+sys of the process and its threads,
children excluded) as min/median/p95 and n: on a shared machine wall time swings 2-10x, CPU time does not.
"""

from __future__ import annotations

import compileall
import contextlib
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Pattern = bytes | Callable[[bytearray], Any]

TICK = os.sysconf("SC_CLK_TCK")
PAGE_DOWN = b"\x1b[6~"
PAGE_UP = b"\x1b[5~"
BACKSPACE = b"\x7f"
ESCAPE = b"\x1b"


# ----- /proc ----------------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """user+sys of `pid` (all its threads, not its children) from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14 and 15 of stat(5)


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of `pid` in MB: the resident set now and its peak."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line[:5]] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["VmHWM"]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def host_speed() -> str:
    """CPU time of a fixed pure-Python loop (5M multiply-adds on a module-level name, as a script runs it):
    how fast this host runs Python right now. On the shared machine it swung 550-950 ms within an hour at
    low load, and the server's CPU per request with it, which the load average does not show."""
    started = time.process_time()
    exec(_SPEED_LOOP, {})  # module-level names: the loop the figures in docs/performance.md were taken with
    return f"{(time.process_time() - started) * 1000:.0f} ms CPU for a 5M-step Python loop"


_SPEED_LOOP = compile("total = 0\nfor i in range(5_000_000):\n    total += i * i\n", "<host speed>", "exec")


# ----- statistics and rows --------------------------------------------------------------------------
def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.0f}" if value >= 9.95 else f"{value:.1f}"


def spread(samples: Sequence[float], unit: str = "ms") -> str:
    """min/median/p95 (n) of durations in seconds, printed in ms."""
    if not samples:
        return "no samples"
    values = (min(samples), statistics.median(samples), percentile(samples, 0.95))
    return f"{'/'.join(ms(v) for v in values)} {unit} (n={len(samples)})"


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "MISSED"


def header(title: str) -> None:
    print(f"\n{title}\n  load average at start: {loadavg()}; host speed {host_speed()}", flush=True)


def footer() -> None:
    print(f"  load average at end:   {loadavg()}; host speed {host_speed()}", flush=True)


def row(name: str, wall: str, cpu: str = "", goal: str = "", result: str = "") -> None:
    """One printed row: what, wall min/median/p95 (n), TUI CPU min/median/p95, goal and whether it is met."""
    text = f"  {name:<52} {wall}"
    if cpu:
        text += f" | CPU {cpu}"
    if goal:
        text += f" | goal {goal}" + (f": {result}" if result else "")
    print(text, flush=True)


def timing_row(name: str, samples: Sequence[tuple[float, float]], goal: str = "", limit: float | None = None,
               by: str = "p95") -> None:
    """A row of (wall, cpu) samples; `limit` (seconds) is checked against the `by` statistic of wall time."""
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    result = ""
    if limit is not None and walls:
        value = {"p95": percentile(walls, 0.95), "median": statistics.median(walls),
                 "max": max(walls)}[by]
        result = verdict(value, limit)
    row(name, "wall min/med/p95 " + spread(walls), spread(cpus), goal, result)


# ----- the TUI on a pseudo-terminal -----------------------------------------------------------------
class PtyTui:
    """`appbuilder-tui --server URL --config-dir DIR` on a real pseudo-terminal: keys in, screen bytes out.

    Latencies end when the program has written the change to its terminal (the bytes a terminal would
    draw), found by a regular expression over the output written after the key."""

    def __init__(self, server_url: str, config_dir: Path, size: tuple[int, int] = (120, 40),
                 checkout: Path | None = None) -> None:
        """`checkout`: the one whose `tui` runs (`python -m` puts the working directory first on the path,
        ahead of PYTHONPATH); this process's working directory if None."""
        import pty

        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
               "APPBUILDER_TUI_LOG_DIR": str(config_dir / "logs")}
        argv = [sys.executable, "-m", "tui", "--server", server_url, "--config-dir", str(config_dir)]
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: set the window size on its terminal, then become the TUI
            import fcntl
            import struct
            import termios

            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
            if checkout is not None:
                os.chdir(checkout)
            os.execvpe(argv[0], argv, env)
        self.output = bytearray()  # everything written since the last mark()
        self.last_read = self.started

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 1 << 20)
        except OSError:
            chunk = b""
        if not chunk:
            raise RuntimeError(f"the TUI exited; last output: {bytes(self.output[-400:])!r}")
        self.last_read = time.perf_counter()
        self.output += chunk
        return True

    def mark(self) -> None:
        """Forget the output so far: the next wait looks only at what is written from now on."""
        self.output.clear()

    def wait_for(self, pattern: Pattern, timeout: float = 60.0, what: str = "") -> float:
        """perf_counter time at which `pattern` (a regex, or a test of the output) appeared in the output
        since the last mark()."""
        found = re.compile(pattern).search if isinstance(pattern, bytes) else pattern
        deadline = time.perf_counter() + timeout
        while not found(self.output):
            if time.perf_counter() > deadline:
                tail = bytes(self.output[-300:])
                raise TimeoutError(f"{what or pattern!r} not on screen within {timeout:.0f}s; last {tail!r}")
            self._read(0.05)
        return self.last_read

    def wait_each(self, patterns: dict[str, bytes], timeout: float = 60.0) -> dict[str, tuple[float, float]]:
        """(perf_counter time, TUI CPU seconds) at which each regex first matched the output since the last
        mark(), in whatever order they come (`wait_for` after `wait_for` would time a pattern that came
        first at the read that found the one before it)."""
        seen: dict[str, tuple[float, float]] = {}
        deadline = time.perf_counter() + timeout
        while True:
            for name, pattern in patterns.items():
                if name not in seen and re.search(pattern, self.output):
                    seen[name] = (self.last_read, self.cpu())
            if len(seen) == len(patterns):
                return seen
            if time.perf_counter() > deadline:
                missing = ", ".join(name for name in patterns if name not in seen)
                raise TimeoutError(f"{missing} not on screen within {timeout:.0f}s; "
                                   f"last {bytes(self.output[-300:])!r}")
            self._read(0.05)

    def drain(self, quiet: float = 0.05, limit: float = 5.0) -> None:
        """Read until the program has been quiet for `quiet` seconds (at most `limit`)."""
        end = time.perf_counter() + limit
        while self._read(quiet) and time.perf_counter() < end:
            pass
        self.mark()

    def press(self, key: bytes, pattern: Pattern | None = None, timeout: float = 30.0) -> tuple[float, float]:
        """Send `key`; (wall, TUI CPU) seconds until `pattern` is on screen, or, without a pattern, until the
        first frame written after the key is complete (the last byte before 5 ms of quiet)."""
        self.drain()
        cpu = cpu_seconds(self.pid)
        start = time.perf_counter()
        os.write(self.fd, key)
        if pattern is not None:
            end = self.wait_for(pattern, timeout, what=f"{pattern!r} after {key!r}")
        else:
            deadline = start + timeout
            while not self._read(0.05):
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"no screen update within {timeout:.0f}s after {key!r}")
            while self._read(0.005):
                pass
            end = self.last_read
        return end - start, cpu_seconds(self.pid) - cpu

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def rss(self) -> tuple[float, float]:
        return rss_mb(self.pid)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, RuntimeError):
                self._read(0.05)  # keep the pty drained so the program can write its way out
            if os.waitpid(self.pid, os.WNOHANG) != (0, 0):
                break
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def count_pattern(shown: int, total: int) -> bytes:
    """The dashboard's status line 'N of M projects' (digits with or without thousands commas), not a
    progress line and not followed by a filter."""
    def number(n: int) -> bytes:
        return f"{n:,}".replace(",", ",?").encode()
    return rb"(?<![\d,])(?<!loading )" + number(shown) + rb" of " + number(total) + rb" projects(?=  |\x1b)"


def rows_redrawn(count: int) -> Callable[[bytearray], bool]:
    """A test of the output: at least `count` job-id cells ('#123') written, i.e. a page of rows redrawn
    (a running build's row changing in place writes one)."""
    cell = re.compile(rb"#\d+(?!\d)")
    return lambda output: sum(1 for _ in cell.finditer(output)) >= count


HERE = Path(__file__).resolve().parent.parent  # this checkout


def before_after(before: Path) -> dict[str, Path]:
    """The two checkouts of a `--against` comparison, by the names their rows print; each is checked to
    run its own `tui` when started in its directory (an installed copy elsewhere would not)."""
    sides = {f"before ({before})": before, "after (this checkout)": HERE}
    for checkout in sides.values():
        found = subprocess.run([sys.executable, "-c", "import tui; print(tui.__file__)"], cwd=checkout,
                               capture_output=True, text=True, check=True).stdout.strip()
        if not Path(found).is_relative_to(checkout):
            raise SystemExit(f"started in {checkout}, `python -m tui` would run {found}")
    return sides


def compile_bytecode(checkout: Path) -> None:
    """The checkout's `tui` package as an installed copy has it: compiled (__pycache__ is git-ignored). With
    PYTHONDONTWRITEBYTECODE=1 (as on the shared machine) every measured start would otherwise compile each
    `tui` module from source (60-100 ms of CPU) that no installed copy compiles."""
    if not compileall.compile_dir(checkout / "tui", quiet=1):
        raise RuntimeError(f"could not compile {checkout / 'tui'}")
    print(f"  bytecode of {checkout / 'tui'} compiled (as pip install does)", flush=True)
