"""Cold start: `appbuilder-tui --server URL` from fork/exec to its first paint and to job rows on a real pty.

A saved session is in place (as after a first login), the user has 30 realistic jobs. First paint is the
first frame with the app's name in it: the splash written before Textual is imported (tui/early_splash.py).
Textual's first frame is the app's name after Textual's driver has enabled the mouse (`ESC[?1000h`, written
as it starts): its "connecting to …" splash, or the dashboard if the session and the first page were
answered while Textual was imported (tui/start_requests.py). Rows is the newest job's title in the output.
With `--rtt MS` the TUI talks to the server through a proxy that delays each way by half of MS
(benchmarks/delay_proxy.py): start-up's round trips as over a network. Two rows without a terminal say
where the time goes: `import tui.app` in a fresh interpreter (the modules the app
needs before its first frame) and `appbuilder-tui --version` (the command line alone).

The checkout's modules are compiled to bytecode first, as `pip install` does and as any second start of a
checkout finds them: with PYTHONDONTWRITEBYTECODE=1 in the environment (as on the shared machine) every
`tui` module would otherwise be compiled from source at every start (60-100 ms of CPU), which no installed
copy does.
"""

from __future__ import annotations

import contextlib
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.common import (
    HERE,
    PtyTui,
    before_after,
    compile_bytecode,
    footer,
    header,
    row,
    rss_mb,
    timing_row,
)
from benchmarks.delay_proxy import DelayProxy
from benchmarks.server import BenchServer

MARKER = "coldstartmarker"
TEXTUAL_STARTED = rb"\x1b\[\?1000h"  # Textual's driver enables the mouse as it starts
Timing = tuple[float, float]
Start = tuple[Timing, Timing, Timing, Timing, float]  # to paint, Textual, rows, Textual's rows; RSS MB
SEEN = {"paint": rb"appbuilder", "textual": TEXTUAL_STARTED + rb"[\s\S]*appbuilder",
        "rows": MARKER.encode(), "textual rows": TEXTUAL_STARTED + rb"[\s\S]*" + MARKER.encode()}


def one_start(server: BenchServer, url: str | None = None, checkout: Path | None = None) -> Start:
    """((wall, cpu) to first paint, to Textual's first frame, to rows, to rows drawn by Textual, RSS MB) of
    one start (against `url`, a proxy in front of the server, if given). Rows come first from the frame
    written before Textual (tui/early_splash.py) when the page is in before Textual is imported, else from
    Textual's own frame: then both times are the same. `checkout`: whose `tui` runs (PtyTui)."""
    tui = PtyTui(url or server.url, server.config_dir, checkout=checkout)
    try:
        seen = tui.wait_each(SEEN)
        paint, textual, rows, textual_rows = ((seen[name][0] - tui.started, seen[name][1])
                                              for name in ("paint", "textual", "rows", "textual rows"))
        return paint, textual, rows, textual_rows, rss_mb(tui.pid)[0]
    finally:
        tui.close()


# What the rows cannot come before: Textual, httpx (with httpcore, which its transport imports) and asyncio
# imported, nothing of ours; httpx's own command-line client skipped as appbuilder-tui skips it (tui/cli/
# main.py). pydantic is no longer on the start path (docs/performance.md, "The import floor", "No pydantic").
LIBRARIES = "import sys; sys.modules['httpx._main'] = None; import asyncio, httpcore, httpx, textual.app"


def child_run(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process, interpreter start-up included."""
    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, children_cpu() - cpu


def away(rtt_ms: float) -> str:
    return f", server {rtt_ms:.0f} ms round trip away" if rtt_ms else ""


@contextlib.contextmanager
def seeded_server(rtt_ms: float) -> Iterator[tuple[BenchServer, str]]:
    """(the server, the URL the TUI uses): the server's own, or a proxy's `rtt_ms` away; a saved session
    for that URL."""
    with BenchServer() as server:
        server.seed(30, 0, MARKER)
        server.start()
        if not rtt_ms:
            server.save_session()
            yield server, server.url
            return
        with DelayProxy(server.port, rtt_ms) as proxy:
            server.save_session(proxy.url)
            yield server, proxy.url


def main(runs: int, rtt_ms: float = 0) -> None:
    header(f"cold start: process start -> first paint / job rows on a 120x40 pty (saved session, 30 jobs, "
           f"n={runs} after 1 warm-up{away(rtt_ms)})")
    compile_bytecode(HERE)
    with seeded_server(rtt_ms) as (server, url):
        one_start(server, url)  # warm the OS file cache, as any second start would find it
        starts = [one_start(server, url) for _ in range(runs)]
    timing_row("cold start -> first paint (splash)", [s[0] for s in starts], "<= 300 ms", 0.3)
    timing_row("cold start -> Textual's first frame", [s[1] for s in starts])
    timing_row("cold start -> job rows on screen", [s[2] for s in starts], "<= 500 ms", 0.5)
    timing_row("cold start -> rows drawn by Textual (keys work)", [s[3] for s in starts])
    early = sum(1 for s in starts if s[2][0] < s[3][0])
    row("starts whose rows came before Textual's frame", f"{early} of {len(starts)}")
    row("RSS when Textual's rows are on screen", f"{max(s[4] for s in starts):.0f} MB (max)")
    for name, argv in (("python -c 'import tui.app' (plain import, no terminal)", ["-c", "import tui.app"]),
                       ("the libraries alone (the floor under the rows)", ["-c", LIBRARIES]),
                       ("appbuilder-tui --version", ["-m", "tui", "--version"])):
        child_run([sys.executable, *argv])  # warm the file cache
        timing_row(name, [child_run([sys.executable, *argv]) for _ in range(runs)])
    footer()


def compare(before: Path, runs: int, rtt_ms: float = 0) -> None:
    """Before/after on one server: starts interleaved between the checkout at `before` and this one
    (each TUI started in its checkout's directory, which `python -m tui` reads first), so both sides see the
    same load."""
    sides = before_after(before)
    header(f"cold start, before/after interleaved (saved session, 30 jobs, n={runs} a side after a "
           f"warm-up{away(rtt_ms)})")
    found: dict[str, list[Start]] = {name: [] for name in sides}
    for checkout in sides.values():
        compile_bytecode(checkout)
    with seeded_server(rtt_ms) as (server, url):
        for _ in range(runs + 1):
            for name, checkout in sides.items():
                found[name].append(one_start(server, url, checkout))
    for name, starts in found.items():
        timing_row(f"{name}: first paint", [s[0] for s in starts[1:]], "<= 300 ms", 0.3)
        timing_row(f"{name}: Textual's first frame", [s[1] for s in starts[1:]])
        timing_row(f"{name}: job rows", [s[2] for s in starts[1:]], "<= 500 ms", 0.5)
        timing_row(f"{name}: rows drawn by Textual", [s[3] for s in starts[1:]])
    footer()


if __name__ == "__main__":  # python -m benchmarks.bench_cold_start [--quick] [--against CHECKOUT] [--rtt MS]
    count = 3 if "--quick" in sys.argv else 10  # [--runs=N]: starts per side (20+ for a small change)
    count = next((int(arg.split("=", 1)[1]) for arg in sys.argv if arg.startswith("--runs=")), count)
    rtt = float(sys.argv[sys.argv.index("--rtt") + 1]) if "--rtt" in sys.argv else 0.0
    if "--against" in sys.argv:
        compare(Path(sys.argv[sys.argv.index("--against") + 1]).resolve(), count, rtt)
    else:
        main(count, rtt)
