"""JobSocket against servers that spell frames differently (issue 12): a rewriting proxy in front of the
real reference server. Readable spellings cost no REST call; unreadable frames a bounded number of
re-syncs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services.test_socket_live import (
    EXPECTED_SHAPES,
    FAST,
    Collector,
    assert_ids_exact,
    is_agent_chat,
    is_live,
    run_full_job,
    shape,
    unique,
)
from tests.support.live_server import LiveServer
from tests.support.respell import VARIANTS
from tests.support.rewrite_proxy import RewriteProxy, unchanged
from tests.support.waits import until
from tui.services.client import ApiClient
from tui.services.events import ApiFallbackEvent, ChatEvent, JobSnapshotEvent, WarningEvent
from tui.services.socket import CATCH_UP_GAP, JobSocket
from tui.services.tokens import TokenStore


@pytest.fixture(scope="module")
def legacy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(db_path=tmp_path_factory.mktemp("legacy") / "db.sqlite3", dialect="legacy") as server:
        yield server


@pytest.fixture
async def through(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """`await through(server, rewrite)`: (proxy, ApiClient of a fresh user; every call goes through it)."""
    opened: list[tuple[RewriteProxy, ApiClient]] = []

    async def make(server: LiveServer, rewrite: Any = unchanged) -> tuple[RewriteProxy, ApiClient]:
        proxy = await RewriteProxy(server.port, rewrite).start()
        client = ApiClient(proxy.url, token_store=TokenStore(tmp_path / f"tokens{len(opened)}"))
        opened.append((proxy, client))
        name = unique("any")
        await client.register(name, "pass-word-123")
        return proxy, client

    yield make
    for proxy, client in opened:
        await client.aclose()
        await proxy.stop()


@pytest.fixture
async def collect() -> AsyncIterator[Callable[[JobSocket], Collector]]:
    made: list[Collector] = []

    def make(sock: JobSocket) -> Collector:
        made.append(Collector(sock))
        return made[-1]

    yield make
    for collector in made:
        await collector.close()


@pytest.mark.parametrize("name", sorted(VARIANTS))
async def test_every_variant_reaches_the_final_state(name: str, live_server: LiveServer,
                                                     legacy_server: LiveServer, through: Any,
                                                     collect: Any) -> None:
    variant = VARIANTS[name]
    proxy, client = await through(legacy_server if variant.dialect == "legacy" else live_server,
                                  variant.rewrite)
    loop = asyncio.get_running_loop()
    began = loop.time()
    job, col = await run_full_job(client, collect)
    elapsed = loop.time() - began
    await until(lambda: col.sock.caught_up and len(proxy.rest_calls("/api/job-messages/"))
                == 1 + len(proxy.rest_calls(f"/api/jobs/{job.id}/")), "no catch-up pending or half done",
                timeout=20.0, interval=0.02)
    await col.close()
    resyncs = len(proxy.rest_calls("/api/job-messages/"))
    snapshots = len(proxy.rest_calls(f"/api/jobs/{job.id}/"))

    assert [shape(e) for e in col.job_events] == EXPECTED_SHAPES  # every chat line once, in order
    assert_ids_exact(col.ids, [m.id for m in await client.list_messages(job.id)])
    assert not [e for e in col.events if isinstance(e, WarningEvent)]  # never passed on
    fallbacks = [e for e in col.events if isinstance(e, ApiFallbackEvent)]
    if variant.readable:
        assert (resyncs, snapshots, fallbacks) == (1, 0, []), "readable frames must cost no REST call"
    else:
        assert len(fallbacks) == 1 and fallbacks[0].text, "one hint per socket"
        assert col.sock.catch_ups == snapshots == resyncs - 1 >= 1  # each catch-up: messages + the job
        assert col.sock.catch_ups <= proxy.frames_in  # never more than one per unreadable frame...
        assert col.sock.catch_ups <= 2 + elapsed / CATCH_UP_GAP  # ...and rate-limited
        last = [e for e in col.events if isinstance(e, JobSnapshotEvent)][-1]
        assert last.job.status == "done" and last.job.app_id == col.job_events[-1].app_id


async def test_a_burst_of_opaque_frames_costs_a_few_catch_ups(live_server: LiveServer, through: Any,
                                                             collect: Any,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """500 unreadable frames at once: at most one catch-up in flight, a few in all, no update lost."""
    proxy, client = await through(live_server)
    in_flight, most = [0], [0]
    list_messages = client.list_messages

    async def tracked(*args: Any, **kwargs: Any) -> Any:
        in_flight[0] += 1
        most[0] = max(most[0], in_flight[0])
        try:
            return await list_messages(*args, **kwargs)
        finally:
            in_flight[0] -= 1

    client.list_messages = tracked  # type: ignore[method-assign]
    job = await client.create_job("A burst of noise")
    col = collect(JobSocket(client, job.id, backoff=FAST))
    await col.wait(is_live)
    await col.wait(is_agent_chat)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await proxy.inject([{"type": "update"}] * 500)
    await col.sock.send_chat("Families")  # its echo and the next question arrive among the noise
    echo = await col.wait(lambda e: isinstance(e, ChatEvent) and e.role == "user" and e.text == "Families")
    await col.wait(is_agent_chat, start=col.index(echo) + 1)
    await until(lambda: col.sock.unreadable_frames == 500 and col.sock.caught_up,
                "all 500 frames read and caught up", timeout=20.0, interval=0.02)
    elapsed = loop.time() - began

    assert most[0] == 1, "two re-syncs were in flight at once"
    assert 1 <= col.sock.catch_ups <= 2 + elapsed / CATCH_UP_GAP, (col.sock.catch_ups, elapsed)
    assert len([e for e in col.events if isinstance(e, ApiFallbackEvent)]) == 1
    hints = [r for r in caplog.records if r.levelno == logging.WARNING and "understood" in r.message]
    assert len(hints) == 1, "one log line per socket, not one per frame"
    assert_ids_exact(col.ids, [m.id for m in await list_messages(job.id)])
