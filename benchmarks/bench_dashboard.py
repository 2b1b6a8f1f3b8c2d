"""10,000 jobs on the server: dashboard load, page-down, filter keystrokes and peak RSS of the TUI process.

The real `appbuilder-tui` runs on a pseudo-terminal (120x40) against the reference server; the jobs are
inserted into the server's SQLite file first (creating 10k over REST would take minutes). Latencies are
key written -> screen bytes written back (page-down) or -> the filtered count on screen (filter).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.common import PtyTui, client_for, live_server, ms, report, seed_jobs, summary

JOBS = 10_000
PAGE_DOWN = b"\x1b[6~"


async def main() -> None:
    with live_server() as server, tempfile.TemporaryDirectory() as folder:
        config = Path(folder)
        client = await client_for(server, "tenk", config)
        seed_jobs(server, "tenk", JOBS)
        started = time.perf_counter()
        assert len(await client.list_jobs()) == JOBS
        fetch = time.perf_counter() - started
        await client.aclose()

        tui = PtyTui(server.url, config)
        try:
            tui.wait_for(b"200 shown", timeout=60)
            first = time.perf_counter() - tui.started
            tui.wait_for(f"{JOBS} of {JOBS} projects".encode(), timeout=60)
            load = time.perf_counter() - tui.started
            tui.drain()
            pages = [tui.key_to_output(PAGE_DOWN) for _ in range(40)]
            tui.key_to_output(b"/")
            keystrokes, typed = [], ""
            for char in "chess":
                typed += char
                keystrokes.append(tui.type_until(char.encode(), f"filter '{typed}'".encode()))
            tui.type_until(b"\x1b", f"{JOBS} of {JOBS} projects".encode())
            peak = tui.peak_rss_mb()
        finally:
            tui.close()
    print(f"dashboard with {JOBS:,} jobs (appbuilder-tui on a 120x40 pty, real server)")
    report("GET /api/jobs/ + parse, in the benchmark", ms(fetch))
    report("process start to the newest 200 rows", ms(first), "<= 1000 ms")
    report("process start to all 10,000 rows", ms(load), "<= 1000 ms")
    report("page-down: key to screen update", summary(pages), "<= 50 ms")
    report("filter keystroke: key to filtered rows", summary(keystrokes), "<= 50 ms")
    report("peak RSS of the TUI process (VmHWM)", f"{peak:.0f} MB", "<= 120 MB")


if __name__ == "__main__":
    asyncio.run(main())
