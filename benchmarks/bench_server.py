"""The reference server alone (one process): the dashboard's list request, and socket fan-out on one job.

- `GET /api/jobs/?limit=50` for a user with 10,000 realistic jobs: CONNECTIONS keep-alive connections from a
  minimal raw-HTTP load client (so the client costs little CPU), for LIST_SECONDS after a warm-up. Requests/s,
  latency, and the server process's CPU per request (user+sys from /proc; 1/that is one core's capacity).
  Then the same for the TUI's request (`view=summary&pagination=cursor`: list rows, keyset pages, no COUNT).
- All rows as the TUI loads them: 1,000-row summary pages (`ordering=-id`, keyset), following `next` to the
  end on one connection, WALKS times: wall per page and per walk, server CPU per page (goal <= 20 ms).
- Fan-out: N sockets on one job (loopback clients in this process, joined: each got its `pong`), then the
  flood endpoint sends FAN_RATE messages/s for FAN_SECONDS; latency is receive time minus `created_at`.
  The client's own CPU is printed: near the wall time it means the load client, not the server, was the limit.
- `--against CHECKOUT [--runs=N]`: the list request only, runs alternating between a fresh server of that
  checkout and of this one (each run in its own interpreter, with the checkout's own code).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

from benchmarks.common import before_after, cpu_seconds, footer, header, percentile, row, spread, verdict
from benchmarks.server import BenchServer

CONNECTIONS, WARMUP, LIST_SECONDS = 4, 1.0, 6.0
WALKS, WALK_PAGE = 8, "/api/jobs/?view=summary&limit=1000&ordering=-id&pagination=cursor"
SOCKETS = (100, 200, 500, 1000)
FAN_RATE, FAN_SECONDS, CONNECT_BATCH = 10, 3.0, 50


# ----- GET /api/jobs/?limit=50 ----------------------------------------------------------------------
async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> bytes:
    """Send one request on a keep-alive connection; the body of its 200 answer."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    if not head.startswith(b"HTTP/1.1 200") or length is None:
        raise RuntimeError(f"unexpected answer: {head[:200]!r}")
    return await reader.readexactly(int(length[1]))


async def list_worker(port: int, request: bytes, stop_at: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            await answer(reader, writer, request)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


LIST_PATHS = ("/api/jobs/?limit=50", "/api/jobs/?limit=50&view=summary&pagination=cursor")


async def list_load(server: BenchServer, token: str, seconds: float,
                    path: str = LIST_PATHS[0]) -> tuple[list[float], float, float]:
    """(latencies, server CPU seconds, client CPU seconds) of `seconds` of list requests."""
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
               f"Authorization: Bearer {token}\r\n\r\n").encode()
    latencies: list[float] = []
    server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
    stop_at = time.perf_counter() + seconds
    await asyncio.gather(*(list_worker(server.port, request, stop_at, latencies) for _ in range(CONNECTIONS)))
    return latencies, cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu


def list_rows(quick: bool) -> None:
    size = 1_000 if quick else 10_000
    seconds = 2.0 if quick else LIST_SECONDS
    with BenchServer(speed=1000.0) as server:
        server.seed(size, 0)
        server.start()
        token = server.login()["access"]
        for path in LIST_PATHS:
            asyncio.run(list_load(server, token, WARMUP, path))
            latencies, server_cpu, client_cpu = asyncio.run(list_load(server, token, seconds, path))
            list_row(path, size, seconds, latencies, server_cpu, client_cpu)
        walk_rows(server, token, size, 2 if quick else WALKS)


async def walk_pages(server: BenchServer, token: str, walks: int) -> tuple[list[float], list[float], float]:
    """(wall per page, wall per walk, server CPU s): `walks` times every summary page, following `next`."""
    pages: list[float] = []
    totals: list[float] = []
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    server_cpu = cpu_seconds(server.pid)
    try:
        for _ in range(walks):
            path: str | None = WALK_PAGE
            walk_started = time.perf_counter()
            while path is not None:
                request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                           f"Authorization: Bearer {token}\r\n\r\n").encode()
                started = time.perf_counter()
                following = json.loads(await answer(reader, writer, request))["next"]
                pages.append(time.perf_counter() - started)
                path = None if following is None else following.removeprefix(server.url)
            totals.append(time.perf_counter() - walk_started)
    finally:
        writer.close()
    return pages, totals, cpu_seconds(server.pid) - server_cpu


def walk_rows(server: BenchServer, token: str, size: int, walks: int) -> None:
    asyncio.run(walk_pages(server, token, 1))  # warm-up
    pages, totals, server_cpu = asyncio.run(walk_pages(server, token, walks))
    per_page = server_cpu / max(1, len(pages))
    row(f"all {size:,} rows as summary pages of 1,000 (keyset), one connection",
        "wall per walk min/med/p95 " + spread(totals))
    row("  per page", "wall min/med/p95 " + spread(pages), "", "<= 20 ms server CPU",
        "met" if per_page <= 0.020 else "MISSED")
    row("  server CPU per page", f"{per_page * 1000:.2f} ms ({len(pages)} pages)")


def list_row(path: str, size: int, seconds: float, latencies: list[float], server_cpu: float,
             client_cpu: float) -> None:
    count = len(latencies)
    per_request = server_cpu / max(1, count)
    goal = ">= 400 req/s" if path == LIST_PATHS[0] else ""
    result = ("met" if count / seconds >= 400 else "MISSED") if goal else ""
    row(f"GET {path.removeprefix('/api')} ({size:,} jobs), {CONNECTIONS} connections",
        f"{count / seconds:.0f} req/s over {seconds:.0f} s (n={count:,})", "", goal, result)
    row("  latency per request", "wall min/med/p95 " + spread(latencies))
    capacity = 1 / max(per_request, 1e-9)
    row("  server CPU per request", f"{per_request * 1000:.2f} ms (one core: {capacity:.0f} req/s); load "
        f"client CPU {client_cpu / max(1, count) * 1000:.2f} ms per request")


# ----- WebSocket fan-out -----------------------------------------------------------------------------
FanOut = tuple[list[float], int, float, float, float]


async def fan_out(server: BenchServer, token: str, sockets: int) -> FanOut:
    """(latencies, frames expected, server CPU s, client CPU s, seconds to join) for `sockets` on one job."""
    import websockets

    # keepalive_expiry: joining takes seconds, about the server's keep-alive timeout (5 s); the flood request
    # on the connection the server was just closing failed with ReadError (a lost row, 1 run in ~20)
    async with httpx.AsyncClient(base_url=f"{server.url}/api/", timeout=60,
                                 limits=httpx.Limits(keepalive_expiry=1.0),
                                 headers={"Authorization": f"Bearer {token}"}) as http:
        job = (await http.post("jobs/", json={"initial_prompt": f"Fan-out to {sockets} sockets"})).json()
        url = f"{server.url.replace('http', 'ws')}/ws/jobs/{job['id']}/"
        expected = int(FAN_RATE * FAN_SECONDS)
        latencies: list[float] = []

        async def join() -> websockets.ClientConnection:
            socket = await websockets.connect(url, max_queue=None, open_timeout=60)
            await socket.send(json.dumps({"kind": "auth", "token": token}))
            await socket.send(json.dumps({"kind": "ping"}))
            while json.loads(await socket.recv()).get("kind") != "pong":
                pass
            return socket

        async def listen(socket: websockets.ClientConnection, deadline: float) -> None:
            # One timeout for the whole flood: `wait_for` per frame made a task per frame per socket, which
            # at 10,000 frames/s saturated this client's core, and its backlog was measured as the server's.
            got = 0
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(deadline):
                    while got < expected:
                        frame = await socket.recv()
                        now = time.time()
                        if "flood " in frame:
                            got += 1
                            sent = datetime.fromisoformat(json.loads(frame)["created_at"]).timestamp()
                            latencies.append(now - sent)

        started = time.perf_counter()
        opened: list[websockets.ClientConnection] = []
        try:
            for first in range(0, sockets, CONNECT_BATCH):
                batch = min(CONNECT_BATCH, sockets - first)
                opened += await asyncio.gather(*(join() for _ in range(batch)))
            connect = time.perf_counter() - started
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
            deadline = asyncio.get_running_loop().time() + FAN_SECONDS + 30
            listeners = [asyncio.create_task(listen(socket, deadline)) for socket in opened]
            await http.post(f"jobs/{job['id']}/flood/", json={"rate": FAN_RATE, "seconds": FAN_SECONDS})
            await asyncio.gather(*listeners)
            used = cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
        finally:
            for first in range(0, len(opened), CONNECT_BATCH):
                await asyncio.gather(*(s.close() for s in opened[first:first + CONNECT_BATCH]))
        return latencies, expected * sockets, used[0], used[1], connect


def fan_out_rows(quick: bool) -> None:
    with BenchServer(speed=1000.0, flood=True) as server:
        server.seed(0, 0)
        server.start()
        token = server.login()["access"]
        for sockets in (SOCKETS[:2] if quick else SOCKETS):
            server.wait_idle()
            lat, expected, server_cpu, client_cpu, connect = asyncio.run(fan_out(server, token, sockets))
            p95 = percentile(lat, 0.95) if lat else float("inf")
            goal = "p95 <= 200 ms" if sockets == 1000 else ""
            late = "" if len(lat) == expected else ", some not within 30 s"
            result = (verdict(p95, 0.2) + late) if goal else ""
            row(f"WS fan-out, {sockets:,} sockets on one job, {FAN_RATE}/s",
                "wall min/med/p95 " + spread(lat), "", goal, result)
            row("  frames received (30 s limit), CPU", f"{len(lat):,} of {expected:,}; server CPU "
                f"{server_cpu:.2f} s, load client CPU {client_cpu:.2f} s in a {FAN_SECONDS:.0f} s flood; "
                f"{connect:.1f} s to join")


# One list run in a fresh interpreter of a checkout (its own server code): prints [requests/s, server CPU s].
ONE_LIST_RUN = """
import asyncio, json, sys
from benchmarks import bench_server as b
from benchmarks.server import BenchServer
with BenchServer(speed=1000.0) as server:
    server.seed(10_000, 0)
    server.start()
    token = server.login()["access"]
    asyncio.run(b.list_load(server, token, b.WARMUP, sys.argv[1]))
    latencies, cpu, _ = asyncio.run(b.list_load(server, token, float(sys.argv[2]), sys.argv[1]))
    print(json.dumps([len(latencies) / float(sys.argv[2]), cpu / max(1, len(latencies))]))
"""


def compare(before: Path, runs: int, seconds: float = 4.0) -> None:
    """`?limit=50` before/after, interleaved: each run a fresh server of one checkout (`before`, then this
    one), so both sides see the same host. Requests/s and server CPU per request, min/median/p95."""
    sides = before_after(before)
    header(f"GET {LIST_PATHS[0].removeprefix('/api')} (10,000 jobs, {CONNECTIONS} connections), before/after "
           f"interleaved (n={runs} a side, {seconds:.0f} s each)")
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for run in range(runs):
        for name in list(sides) if run % 2 == 0 else list(sides)[::-1]:
            checkout = sides[name]
            out = subprocess.run([sys.executable, "-c", ONE_LIST_RUN, LIST_PATHS[0], str(seconds)],
                                 cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)},
                                 capture_output=True, text=True, check=True)
            rate, cpu = json.loads(out.stdout.strip().splitlines()[-1])
            found[name].append((rate, cpu))
    for name, results in found.items():
        rates = sorted(rate for rate, _ in results)
        row(f"{name}: requests/s", f"min/med/max {rates[0]:.0f}/{statistics.median(rates):.0f}/"
            f"{rates[-1]:.0f} (n={len(rates)})")
        row(f"{name}: server CPU per request", "min/med/p95 " + spread([c for _, c in results]))
    footer()


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    header(f"reference server, one process: list requests and socket fan-out ({FAN_RATE} messages/s for "
           f"{FAN_SECONDS:.0f} s per socket count)")
    list_rows(quick)
    fan_out_rows(quick)
    footer()


if __name__ == "__main__":  # python -m benchmarks.bench_server [--quick] [--against CHECKOUT [--runs=N]]
    if "--against" in sys.argv:
        runs = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--runs=")), 5)
        compare(Path(sys.argv[sys.argv.index("--against") + 1]).resolve(), runs)
    else:
        main(sys.argv[1:])
