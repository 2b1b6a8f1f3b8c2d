"""Cold start: `appbuilder-tui --server URL` from process start to the dashboard's first rows on a real pty.

A saved session is in place (as after a first login), so this is the everyday start. The clock runs from
just before fork/exec to the moment a job title is in what the program wrote to its terminal.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.common import PtyTui, client_for, live_server, report, summary

RUNS = 7
MARKER = b"coldstartmarker"


def start_to_rows(server_url: str, config_dir: Path) -> float:
    tui = PtyTui(server_url, config_dir)
    try:
        tui.wait_for(MARKER, timeout=20)
        return time.perf_counter() - tui.started
    finally:
        tui.close()


async def main() -> None:
    with live_server() as server, tempfile.TemporaryDirectory() as folder:
        config = Path(folder)
        client = await client_for(server, "coldstart", config)
        for n in range(3):
            await client.create_job(f"Job {n} coldstartmarker")
        await client.aclose()
        start_to_rows(server.url, config)  # warm the OS file cache once, as a second start would be
        times = [start_to_rows(server.url, config) for _ in range(RUNS)]
    print("cold start (process start -> dashboard rows on a pty, saved session)")
    report("start to first rows", summary(times), "median <= 500 ms")


if __name__ == "__main__":
    asyncio.run(main())
