"""The dashboard at 1k, 10k (and, with --large, 50k) realistic jobs on a real pty, against the real server.

Data (benchmarks/seed.py): done jobs with a PRD, five finished stages and an app; failed builds; jobs still
collecting; and RUNNING builds that the server really runs (one step every SPEED s), more than the dashboard
follows over sockets (8), so the path that covers unfollowed builds runs as it would for such a user (a
full reload every 10 s before the dashboard polled with `updated_after`; loads and polls are counted apart).
Per size: process start to the newest rows and to all rows (n=STARTS), RSS once all rows are on screen;
in the last start, page-down and the filter keys (n >= 20 each), then RSS 40 s after the start.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time
from pathlib import Path

import httpx

from benchmarks.common import (
    BACKSPACE,
    ESCAPE,
    HERE,
    PAGE_DOWN,
    PAGE_UP,
    PtyTui,
    before_after,
    compile_bytecode,
    count_pattern,
    footer,
    header,
    row,
    rows_redrawn,
    timing_row,
    verdict,
)
from benchmarks.delay_proxy import DelayProxy
from benchmarks.server import BenchServer

RUNNING, SPEED = 12, 10.0
MARKER = "newestmarker"
NEEDLES = ("yoga", "chess", "bike", "quiz", "gym", "dog", "plant", "books", "rota", "crm", "bug", "flash",
           "meter", "guest", "car", "podc", "park", "lost", "habit", "recip")
PAGE_KEYS = 40  # five pages down, five up, four times: never at the end of the list, where nothing moves
FILTER_OPEN = rb"filter: title|\xe2\x96\x94{20}"  # the filter box's placeholder or its top border
ALL_ROWS_LIMIT = 240.0  # seconds: a load that takes longer is reported as not finishing
SETTLE = 40.0  # seconds after start before the last RSS reading: three 10-second reload ticks at least
GOALS = {1_000: None, 10_000: (1.0, "<= 1 s"), 50_000: (3.0, "<= 3 s")}


def list_size(server: BenchServer) -> tuple[int, float]:
    """Bytes and seconds of one `GET /api/jobs/` (every job, as the web app asks) from the benchmark."""
    token = server.login()["access"]
    started = time.perf_counter()
    answer = httpx.get(f"{server.url}/api/jobs/", headers={"Authorization": f"Bearer {token}"}, timeout=300)
    answer.raise_for_status()
    return len(answer.content), time.perf_counter() - started


def filter_trials(tui: PtyTui, size: int, trials: int) -> dict[str, list[tuple[float, float]]]:
    """Per trial: '/', type a word (narrowing), backspace it away (widening; the last one back to all
    rows), type it again, Escape (clears the filter: all rows)."""
    everything = count_pattern(size, size)
    keys: dict[str, list[tuple[float, float]]] = {"narrow": [], "widen": [], "widen_all": [], "escape": []}
    for trial in range(trials):
        word = NEEDLES[trial % len(NEEDLES)]
        tui.press(b"/", FILTER_OPEN)  # a key typed before the box has focus would go to the table
        for _ in range(2):
            for typed in (word[:n] for n in range(1, len(word) + 1)):
                keys["narrow"].append(tui.press(typed[-1].encode(), b"'" + re.escape(typed.encode()) + b"'"))
            if _:
                break
            for n in range(len(word) - 1, -1, -1):
                if n:
                    keys["widen"].append(tui.press(BACKSPACE, b"'" + re.escape(word[:n].encode()) + b"'"))
                else:
                    keys["widen_all"].append(tui.press(BACKSPACE, everything))
        keys["escape"].append(tui.press(ESCAPE, everything))
    return keys


def is_poll(request: str) -> bool:
    """The dashboard's cheap checks: jobs changed since (`updated_after`), the newest page, the total."""
    return bool(re.search(r"updated_after=|[?&]limit=(20|1)(&| |$)", request))


def list_loads(requests: list[str]) -> tuple[int, int, int]:
    """(loads started, list pages fetched, polls) among access-log request lines: a load starts with an
    offset-0 page (the rest: offset, `pagination=cursor` or `cursor=` pages); polls are not loads."""
    lists = [r for r in requests if r.startswith("GET /api/jobs/")]
    pages = [r for r in lists if not is_poll(r)]
    loads = sum(1 for r in pages if not re.search(r"offset=[1-9]|cursor", r))
    return loads, len(pages), len(lists) - len(pages)


def one_size(size: int, starts: int, trials: int) -> None:
    header(f"dashboard with {size:,} jobs ({RUNNING} running builds, one step every {SPEED:.0f} s) on a "
           f"120x40 pty, real server")
    goal = GOALS.get(size)
    rss_goal, rss_limit = ("<= 300 MB", 300) if size >= 50_000 else ("<= 120 MB", 120)
    compile_bytecode(HERE)
    with BenchServer(speed=SPEED, access_log=True) as server:
        counts = server.seed(size, RUNNING, MARKER)
        server.start()
        server.save_session()
        data, fetch = list_size(server)
        seeded = " ".join(f"{k} {v:,}" for k, v in counts.items())
        row("data", f"{seeded}; GET /api/jobs/ {data / 1e6:.1f} MB in {fetch * 1000:.0f} ms (benchmark)")
        newest, everything, loaded = [], [], []
        pages: list[tuple[float, float]] = []
        keys: dict[str, list[tuple[float, float]]] = {}
        for start in range(starts):
            tui = PtyTui(server.url, server.config_dir)
            log_from = server.log_offset()
            try:
                seen = tui.wait_for(MARKER.encode(), timeout=300, what="the newest rows")
                newest.append((seen - tui.started, tui.cpu()))
                try:
                    seen = tui.wait_for(count_pattern(size, size), timeout=ALL_ROWS_LIMIT, what="all rows")
                except TimeoutError:
                    loads, fetched, _ = list_loads(server.requests_since(log_from))
                    now, peak = tui.rss()
                    why = " (a reload restarted the unfinished load)" if loads > 1 else ""
                    row(f"process start -> all {size:,} rows on screen",
                        f"NOT within {ALL_ROWS_LIMIT:.0f} s: {loads} list loads started, {fetched} pages "
                        f"fetched{why}; VmRSS {now:.0f} MB, peak {peak:.0f} MB; TUI CPU {tui.cpu():.0f} s",
                        "", goal and goal[1], "MISSED")
                    footer()
                    return
                everything.append((seen - tui.started, tui.cpu()))
                loaded.append(tui.rss())
                if start == starts - 1 and trials:
                    tui.drain(quiet=0.3)
                    pages = [tui.press(PAGE_DOWN if i % 10 < 5 else PAGE_UP, rows_redrawn(10))
                             for i in range(PAGE_KEYS)]
                    keys = filter_trials(tui, size, trials)
                if start == starts - 1:
                    while time.perf_counter() < tui.started + SETTLE:
                        tui.drain(quiet=1.0, limit=SETTLE)
                    settled, requests = tui.rss(), server.requests_since(log_from)
            finally:
                tui.close()
    timing_row("process start -> newest rows on screen", newest)
    timing_row("newest rows -> all rows (the list's load)",
               [(w - nw, c - nc) for (w, c), (nw, nc) in zip(everything, newest, strict=False)])
    timing_row(f"process start -> all {size:,} rows on screen", everything, goal and goal[1],
               goal and goal[0], by="median")
    peak_loaded = max(hwm for _, hwm in loaded)
    row(f"RSS with {size:,} jobs, all rows on screen", f"VmRSS {max(r for r, _ in loaded):.0f} MB, peak "
        f"{peak_loaded:.0f} MB (max of {len(loaded)})", "", rss_goal, verdict(peak_loaded, rss_limit))
    loads, fetched, polls = list_loads(requests)
    row(f"RSS with >8 running builds, {SETTLE:.0f} s after start", f"VmRSS {settled[0]:.0f} MB, peak "
        f"{settled[1]:.0f} MB; {loads} list loads ({fetched} list pages), {polls} polls in that run", "",
        rss_goal,
        verdict(settled[1], rss_limit))
    if trials:
        timing_row(f"page-down at {size:,} (a page of rows redrawn)",
                   [p for i, p in enumerate(pages) if i % 10 < 5], "p95 <= 50 ms", 0.05)
        timing_row(f"page-up at {size:,}", [p for i, p in enumerate(pages) if i % 10 >= 5])
        timing_row("filter keystroke, narrowing", keys["narrow"], "p95 <= 50 ms", 0.05)
        timing_row("backspace, widening (filter still set)", keys["widen"])
        timing_row(f"backspace back to all {size:,} rows", keys["widen_all"], "p95 <= 50 ms", 0.05)
        timing_row(f"Escape: filter cleared, all {size:,} rows", keys["escape"], "p95 <= 150 ms", 0.15)
    footer()


Load = tuple[tuple[float, float], tuple[float, float], float]  # newest rows, all rows (wall, CPU); peak RSS


def one_load(server: BenchServer, url: str, size: int, checkout: Path) -> Load:
    tui = PtyTui(url, server.config_dir, checkout=checkout)
    try:
        seen = tui.wait_for(MARKER.encode(), timeout=300, what="the newest rows")
        newest = (seen - tui.started, tui.cpu())
        seen = tui.wait_for(count_pattern(size, size), timeout=ALL_ROWS_LIMIT, what="all rows")
        return newest, (seen - tui.started, tui.cpu()), tui.rss()[1]
    finally:
        tui.close()


def compare(size: int, before: Path, runs: int, rtt_ms: float = 0) -> None:
    """Before/after on one seeded server: starts alternate between the checkout at `before` and this one
    (each TUI started in its checkout's directory, which `python -m tui` reads first), so both sides see the
    same load. Newest rows, all rows, the load between them, and the peak RSS, per side. With `rtt_ms`,
    the TUIs talk to the server through a proxy that far away (benchmarks/delay_proxy.py)."""
    sides = before_after(before)
    away = f", server {rtt_ms:.0f} ms round trip away" if rtt_ms else ""
    header(f"dashboard with {size:,} jobs, before/after interleaved (n={runs} a side, {RUNNING} running "
           f"builds{away})")
    found: dict[str, list[Load]] = {name: [] for name in sides}
    for checkout in sides.values():
        compile_bytecode(checkout)
    with BenchServer(speed=SPEED) as server, contextlib.ExitStack() as stack:
        server.seed(size, RUNNING, MARKER)
        server.start()
        url = stack.enter_context(DelayProxy(server.port, rtt_ms)).url if rtt_ms else server.url
        server.save_session(url if rtt_ms else None)
        for run in range(runs):
            for name in list(sides) if run % 2 == 0 else list(sides)[::-1]:
                server.wait_idle()
                found[name].append(one_load(server, url, size, sides[name]))
    goal = GOALS.get(size)
    for name, starts in found.items():
        timing_row(f"{name}: newest rows", [n for n, _, _ in starts])
        timing_row(f"{name}: all rows", [a for _, a, _ in starts], goal and goal[1], goal and goal[0],
                   by="median")
        timing_row(f"{name}: newest -> all rows", [(a[0] - n[0], a[1] - n[1]) for n, a, _ in starts])
        row(f"{name}: peak RSS", f"{max(hwm for _, _, hwm in starts):.0f} MB (max of {len(starts)})")
    footer()


def main(argv: list[str]) -> None:
    if "--against" in argv:  # ... --against CHECKOUT [--size=N] [--starts=N] [--rtt=MS]
        sizes = [int(arg.split("=", 1)[1]) for arg in argv if arg.startswith("--size=")] or [10_000]
        runs = [int(arg.split("=", 1)[1]) for arg in argv if arg.startswith("--starts=")] or [6]
        rtt = [float(arg.split("=", 1)[1]) for arg in argv if arg.startswith("--rtt=")] or [0.0]
        for size in sizes:
            compare(size, Path(argv[argv.index("--against") + 1]).resolve(), runs[-1], rtt[-1])
        return
    large = "--large" in argv
    quick = "--quick" in argv
    only = [int(arg.split("=", 1)[1]) for arg in argv if arg.startswith("--size=")]  # e.g. --size=10000
    starts = [int(arg.split("=", 1)[1]) for arg in argv if arg.startswith("--starts=")]  # e.g. --starts=6
    for size in only or (1_000, 10_000, *((50_000,) if large else ())):
        if quick:
            one_size(size // 5, 1, 2)
        else:
            one_size(size, starts[-1] if starts else 3 if size <= 10_000 else 2, 20 if size <= 10_000 else 0)
    if not large:
        print("\n  (50k jobs: `python -m benchmarks dashboard --large`, several minutes)")


if __name__ == "__main__":
    main(sys.argv[1:])
