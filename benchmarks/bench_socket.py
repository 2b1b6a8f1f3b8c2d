"""Socket stream: the server floods one job's socket; when is each message on the screen (or in the data)?

The TUI: the real `appbuilder-tui` on a 120x40 pty shows the job's Live build screen. Each flooded message
has a unique text (`flood N/TOTAL`); message N counts as on screen at the first frame that shows it or a later
one (at 1,000/s more messages arrive per frame than the chat pane has lines, so some are scrolled past within
one frame: they are counted separately). Latency is that moment minus the message's `created_at` on the
server (same machine, same clock). The TUI's REST requests during the stream are read from the access log.

The comparison clients model the web app of the spec (`integration-analysis.md`: it calls `refetch()` on
every socket event): on each event, refetch the job and its messages, cancelling a refetch still in flight
(react-query's default); and a coalescing variant that keeps one refetch in flight and repeats it once if
events arrived meanwhile. A message is available when a finished refetch holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from benchmarks.common import (
    HERE,
    PtyTui,
    compile_bytecode,
    footer,
    header,
    ms,
    percentile,
    row,
    spread,
    verdict,
)
from benchmarks.server import BenchServer

RUNS = ((100, 5.0), (1000, 10.0))
GRACE = 30.0  # seconds after the flood's end before a run gives up waiting
FLOOD = re.compile(rb"flood (\d+)/(\d+)")


@dataclass
class Run:
    sent: int
    latencies: list[float] = field(default_factory=list)
    drawn: int = 0
    requests: int = 0
    cpu: float = 0.0


def api(server: BenchServer, token: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.Client(base_url=f"{server.url}/api/", headers=headers, timeout=60)


def created_at(http: httpx.Client, job_id: int) -> dict[int, float]:
    """Flood number -> server send time (epoch seconds) of every flooded message of the job."""
    answer = http.get("job-messages/", params={"job_id": job_id})
    answer.raise_for_status()
    times = {}
    for message in answer.json():
        found = FLOOD.fullmatch(message["content"].encode())
        if found:
            times[int(found[1])] = datetime.fromisoformat(message["created_at"]).timestamp()
    return times


def start_flood(http: httpx.Client, job_id: int, rate: int, seconds: float) -> None:
    http.post(f"jobs/{job_id}/flood/", json={"rate": rate, "seconds": seconds}).raise_for_status()


# ----- the TUI on a pty -----------------------------------------------------------------------------
def tui_run(server: BenchServer, http: httpx.Client, rate: int, seconds: float) -> Run:
    job = http.post("jobs/", json={"initial_prompt": f"Flood target {rate} per second"}).json()
    tui = PtyTui(server.url, server.config_dir)
    try:
        tui.wait_for(f"Flood target {rate} per second".encode(), what="the job's row on the dashboard")
        tui.drain(quiet=0.2)
        tui.press(b"\r", f"Job #{job['id']}".encode())  # the newest job has the cursor: open it
        tui.wait_for("● live".encode(), what="the Live build screen's socket live")
        tui.mark()
        http.post("job-messages/", json={"job": job["id"], "content": "benchready", "role": "agent"})
        tui.wait_for(b"benchready", what="a message sent over REST on screen")
        tui.drain(quiet=0.2)
        total = int(rate * seconds)
        shown_at: dict[int, float] = {}
        drawn: set[int] = set()
        newest, tail = 0, b""
        log_from, cpu = server.log_offset(), tui.cpu()
        start_flood(http, job["id"], rate, seconds)
        deadline = time.perf_counter() + seconds + GRACE
        while newest < total and time.perf_counter() < deadline:
            tui.mark()
            if not tui._read(0.05):  # noqa: SLF001 - the benchmark's own reader
                continue
            now, data = time.time(), tail + bytes(tui.output)
            numbers = [int(n) for n, t in FLOOD.findall(data) if int(t) == total]
            drawn.update(numbers)
            for n in range(newest + 1, max(numbers, default=0) + 1):
                shown_at[n] = now  # on screen, or a later message is: the screen has caught up to n
            newest = max(newest, *numbers) if numbers else newest
            tail = data[-32:]
        used = tui.cpu() - cpu
        requests = [r for r in server.requests_since(log_from) if "/flood/" not in r]
    finally:
        tui.close()
    sent = created_at(http, job["id"])
    return Run(len(sent), [shown_at[n] - sent[n] for n in sent if n in shown_at], len(drawn & sent.keys()),
               len(requests), used)


# ----- the web app's refetch-per-event, and a coalescing one ---------------------------------------
async def client_run(server: BenchServer, token: str, job_id: int, rate: int, seconds: float,
                     coalesce: bool) -> Run:
    import websockets

    total = int(rate * seconds)
    available: dict[int, float] = {}
    requests = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"{server.url}/api/", headers=headers, timeout=60) as http:

        async def refetch() -> None:
            nonlocal requests
            requests += 2
            job, messages = await asyncio.gather(http.get(f"jobs/{job_id}/"),
                                                 http.get("job-messages/", params={"job_id": job_id}))
            job.json()
            now = time.time()
            for message in messages.json():
                found = FLOOD.fullmatch(message["content"].encode())
                if found and int(found[1]) not in available:
                    available[int(found[1])] = now

        inflight: asyncio.Task[None] | None = None
        dirty = False

        def on_event() -> None:
            nonlocal inflight, dirty
            if inflight is not None and not inflight.done():
                if coalesce:
                    dirty = True
                    return
                inflight.cancel()  # react-query's refetch(): cancel the one in flight, start again
            inflight = asyncio.create_task(refetch())
            inflight.add_done_callback(done)

        def done(task: asyncio.Task[None]) -> None:
            nonlocal dirty
            if coalesce and dirty and not task.cancelled():
                dirty = False
                on_event()

        url = f"{server.url.replace('http', 'ws')}/ws/jobs/{job_id}/"
        async with websockets.connect(url, max_queue=None) as socket:
            await socket.send(json.dumps({"kind": "auth", "token": token}))
            await socket.send(json.dumps({"kind": "ping"}))
            while json.loads(await socket.recv()).get("kind") != "pong":  # joined the job's group
                pass
            cpu = time.process_time()
            await http.post(f"jobs/{job_id}/flood/", json={"rate": rate, "seconds": seconds})
            deadline = time.monotonic() + seconds + GRACE
            events = 0
            while len(available) < total and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    frame = await asyncio.wait_for(socket.recv(), timeout=0.2)
                    events += "flood " in frame
                    on_event()
                if events >= total and (inflight is None or inflight.done()):
                    on_event()  # every event is in but not every message: one more refetch
            if inflight is not None and not inflight.done():
                inflight.cancel()
            used = time.process_time() - cpu
        sent_answer = await http.get("job-messages/", params={"job_id": job_id})
    sent = {int(f[1]): datetime.fromisoformat(m["created_at"]).timestamp() for m in sent_answer.json()
            if (f := FLOOD.fullmatch(m["content"].encode()))}
    return Run(len(sent), [available[n] - sent[n] for n in sent if n in available], 0, requests, used)


def describe(name: str, run: Run, rate: int, on_screen: bool) -> None:
    lat = run.latencies
    where = "on screen" if on_screen else "data available"
    got = f"{len(lat):,} of {run.sent:,}" + (f" ({run.drawn:,} drawn themselves)" if on_screen else "")
    cpu = f"{run.cpu * 1000:.0f} ms ({run.cpu * 1000 / max(1, run.sent) * 1000:.0f} ms per 1,000 messages)"
    backlog = max(lat) if lat else float("nan")
    p95 = percentile(lat, 0.95) if lat else float("inf")
    shown = "wall min/med/p95 " + spread(lat) if lat else f"none within {GRACE:.0f} s of the flood's end"
    row(f"{name} {rate:,}/s: send -> {where}", shown, "",
        "p95 <= 50 ms, no backlog" if on_screen else "",
        verdict(p95, 0.05) + ("" if len(lat) == run.sent else ", some never") if on_screen else "")
    worst = f"; worst {ms(backlog)} ms" if lat else ""
    row(f"{name} {rate:,}/s: received / worst (backlog)", got + worst)
    row(f"{name} {rate:,}/s: REST requests, CPU", f"{run.requests:,} requests; "
        f"{'TUI' if on_screen else 'client'} CPU {cpu}")


def main(argv: list[str]) -> None:
    runs = ((100, 1.0), (1000, 2.0)) if "--quick" in argv else RUNS
    header("socket stream on one job: the TUI (pty, Live build screen) and two REST-refetching clients")
    compile_bytecode(HERE)
    with BenchServer(speed=1000.0, flood=True, access_log=True) as server:
        server.seed(0, 0)
        server.start()
        server.save_session()
        token = server.login()["access"]
        with api(server, token) as http:
            for rate, seconds in runs:
                describe("TUI", tui_run(server, http, rate, seconds), rate, True)
                for name, coalesce in (("coalescing refetch", True), ("refetch-per-event", False)):
                    server.wait_idle()
                    job = http.post("jobs/", json={"initial_prompt": f"{name} at {rate}/s"}).json()
                    run = asyncio.run(client_run(server, token, job["id"], rate, seconds, coalesce))
                    describe(name, run, rate, False)
                waited = server.wait_idle()
                row(f"  server busy after the {rate:,}/s runs", f"{waited:.0f} s until idle (answering "
                    f"requests the clients had given up on)")
    footer()


if __name__ == "__main__":
    main(sys.argv[1:])
