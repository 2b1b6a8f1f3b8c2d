"""Cold start: `appbuilder-tui --server URL` from fork/exec to its first paint and to job rows on a real pty.

A saved session is in place (as after a first login), the user has 30 realistic jobs. First paint is the
first frame with the app's name in it (the splash); rows is the newest job's title in the output.
"""

from __future__ import annotations

import sys

from benchmarks.common import PtyTui, footer, header, row, rss_mb, timing_row
from benchmarks.server import BenchServer

MARKER = "coldstartmarker"


def one_start(server: BenchServer) -> tuple[tuple[float, float], tuple[float, float], float]:
    """((wall, cpu) to first paint, (wall, cpu) to rows, RSS MB) of one start."""
    tui = PtyTui(server.url, server.config_dir)
    try:
        paint = tui.wait_for(rb"appbuilder", timeout=60, what="first paint")
        paint_cpu = tui.cpu()
        rows = tui.wait_for(MARKER.encode(), timeout=60, what="the newest job's row")
        rows_cpu = tui.cpu()
        return (paint - tui.started, paint_cpu), (rows - tui.started, rows_cpu), rss_mb(tui.pid)[0]
    finally:
        tui.close()


def main(runs: int) -> None:
    header(f"cold start: process start -> first paint / job rows on a 120x40 pty (saved session, 30 jobs, "
           f"n={runs} after 1 warm-up)")
    with BenchServer() as server:
        server.seed(30, 0, MARKER)
        server.start()
        server.save_session()
        one_start(server)  # warm the OS file cache, as any second start would find it
        starts = [one_start(server) for _ in range(runs)]
    timing_row("cold start -> first paint (splash)", [s[0] for s in starts], "<= 300 ms", 0.3)
    timing_row("cold start -> job rows on screen", [s[1] for s in starts], "<= 500 ms", 0.5)
    row("RSS when the rows are on screen", f"{max(s[2] for s in starts):.0f} MB (max)")
    footer()


if __name__ == "__main__":
    main(3 if "--quick" in sys.argv else 10)
