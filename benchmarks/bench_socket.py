"""Socket throughput: the server floods one job's socket; how fast does each message reach the screen?

The real AppBuilderApp runs headless with the real ApiClient and JobSocket, showing the job's Live build
screen. For every flooded chat message we take the time its line is rendered into the ChatLog (the next
frame paints it) minus its `created_at` on the server (same machine, same clock). REST requests the TUI
makes while the
stream runs are counted with an httpx event hook; drops are flooded ids that never arrived.

The comparison runs the same stream through a client that behaves like the web app of the spec (a REST
refetch of the job and its messages on every socket event) and prints the ratio of requests and latency.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import client_for, live_server, ms, percentile, report

RATE, SECONDS = 1000, 10.0
COMPARE_RATE, COMPARE_SECONDS = 100, 5.0


def count_requests(client: Any) -> list[str]:
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(f"{request.method} {request.url.path}")

    client._http.event_hooks["request"].append(hook)  # noqa: SLF001 - a benchmark's probe
    return seen


async def start_flood(server_url: str, client: Any, job_id: int, rate: int, seconds: float) -> None:
    token = await client.access_token()
    async with httpx.AsyncClient() as raw:  # not through the client under test: its requests are counted
        answer = await raw.post(f"{server_url}/api/jobs/{job_id}/flood/",
                                json={"rate": rate, "seconds": seconds},
                                headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()


def latency(created_at: datetime | None, seen_at: float) -> float:
    assert created_at is not None
    return seen_at - created_at.timestamp()


async def tui_run(server: Any, client: Any, rate: int, seconds: float) -> dict[str, Any]:
    """Flood a job shown in the Live build screen; latencies to mounted ChatLog entries."""
    from textual.widgets import Input

    from tui.app import AppBuilderApp
    from tui.messages import OpenJob
    from tui.screens.live_build import LiveBuildScreen
    from tui.services import ChatEvent

    job = await client.create_job(f"Flood at {rate}/s")
    expected = int(rate * seconds)
    seen: dict[int, float] = {}
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        while type(app.screen).__name__ != "DashboardScreen":
            await asyncio.sleep(0.01)
        app.post_message(OpenJob(job.id))
        while not (isinstance(app.screen, LiveBuildScreen) and app.screen.connection == "live"):
            await asyncio.sleep(0.01)
        screen = app.screen
        screen.query_one("#chat-input", Input).cursor_blink = False
        apply = screen.apply

        async def timed_apply(event: Any) -> None:
            await apply(event)  # the line is rendered into the ChatLog; the next frame paints it
            if isinstance(event, ChatEvent) and event.text.startswith("flood "):
                seen[event.message_id] = latency(event.created_at, time.time())

        screen.apply = timed_apply  # type: ignore[method-assign]
        requests = count_requests(client)
        await start_flood(server.url, client, job.id, rate, seconds)
        deadline = time.perf_counter() + seconds + 30
        while len(seen) < expected and time.perf_counter() < deadline:
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        rest = list(requests)
    messages = await client.list_messages(job.id)
    flooded = {m.id: m.created_at for m in messages if m.content.startswith("flood ")}
    return {"sent": len(flooded), "received": len(seen.keys() & flooded.keys()), "requests": rest,
            "latencies": [seen[i] for i in flooded if i in seen]}


async def refetch_run(server: Any, client: Any, rate: int, seconds: float) -> dict[str, Any]:
    """The web app's way (spec): every socket event triggers a REST refetch of the job and its messages."""
    from tui.services import ChatEvent, JobSocket

    job = await client.create_job(f"Refetch flood at {rate}/s")
    expected = int(rate * seconds)
    latencies: list[float] = []
    requests = count_requests(client)
    socket = JobSocket(client, job.id)
    stream = socket.__aiter__()
    while True:  # up to date and live before the flood starts
        event = await stream.__anext__()
        if getattr(event, "state", "") == "live":
            break
    before = len(requests)
    await start_flood(server.url, client, job.id, rate, seconds)
    deadline = time.perf_counter() + seconds + 60
    while len(latencies) < expected and time.perf_counter() < deadline:
        try:
            left = max(0.1, deadline - time.perf_counter())
            event = await asyncio.wait_for(stream.__anext__(), timeout=left)
        except (TimeoutError, StopAsyncIteration):
            break
        if isinstance(event, ChatEvent) and event.text.startswith("flood "):
            await client.get_job(job.id)
            await client.list_messages(job.id)
            latencies.append(latency(event.created_at, time.time()))
    await socket.close()
    return {"received": len(latencies), "requests": requests[before:], "latencies": latencies}


def describe(name: str, run: dict[str, Any], expected: int) -> None:
    lat = run["latencies"]
    report(f"{name}: received / sent", f"{run['received']} / {expected}")
    report(f"{name}: REST requests during the stream", str(len(run["requests"])))
    if lat:
        report(f"{name}: latency p50 / p95 / max",
               f"{ms(percentile(lat, 0.5))} / {ms(percentile(lat, 0.95))} / {ms(max(lat))}")


async def main() -> None:
    with live_server(allow_flood=True, allow_purge=False) as server, tempfile.TemporaryDirectory() as folder:
        client = await client_for(server, "flooder", Path(folder))
        print(f"socket stream: {RATE}/s for {SECONDS:.0f} s into the Live build screen (headless)",
              flush=True)
        run = await tui_run(server, client, RATE, SECONDS)
        describe("TUI", run, int(RATE * SECONDS))
        p95 = percentile(run["latencies"], 0.95) if run["latencies"] else float("nan")
        report("TUI: p95 send -> on screen", ms(p95), "<= 50 ms")
        report("TUI: dropped", str(int(RATE * SECONDS) - run["received"]), "0")

        print(f"\nsame stream at {COMPARE_RATE}/s for {COMPARE_SECONDS:.0f} s: TUI vs refetch-on-every-event")
        ours = await tui_run(server, client, COMPARE_RATE, COMPARE_SECONDS)
        theirs = await refetch_run(server, client, COMPARE_RATE, COMPARE_SECONDS)
        expected = int(COMPARE_RATE * COMPARE_SECONDS)
        describe("TUI", ours, expected)
        describe("refetch", theirs, expected)
        if ours["latencies"] and theirs["latencies"]:
            ratio = percentile(theirs["latencies"], 0.95) / percentile(ours["latencies"], 0.95)
            report("refetch / TUI: p95 latency", f"{ratio:.1f}x")
        report("refetch / TUI: REST requests", f"{len(theirs['requests'])} vs {len(ours['requests'])}")
        await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
