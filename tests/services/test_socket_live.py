"""JobSocket against the real reference server (subprocess on loopback, real ApiClient): no mocks."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.live_server import LiveServer
from tui.services.client import ApiClient
from tui.services.events import (
    AppReadyEvent,
    ChatEvent,
    ChatQueued,
    ConnectionEvent,
    JobEvent,
    JobGoneEvent,
    PrdEvent,
    StatusEvent,
    StepEvent,
    WarningEvent,
)
from tui.services.models import Job
from tui.services.socket import JobSocket
from tui.services.tokens import TokenStore

STAGES = ("planning", "architecture", "coding", "testing", "deploy")
ANSWERS = ("Families with kids", "Lists, due dates and reminders", "Simple and friendly")
FAST = (0.05, 0.5)  # backoff for tests: reconnect quickly
_names = itertools.count(1)


def unique(prefix: str = "sock") -> str:
    return f"{prefix}{next(_names)}_{time.time_ns() % 10**9}"


class Collector:
    """Reads a JobSocket in a background task; tests wait on what it has seen, with timeouts."""

    def __init__(self, sock: JobSocket) -> None:
        self.sock = sock
        self.events: list[Any] = []
        self.ended = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for event in self.sock:
                self.events.append(event)
        finally:
            self.ended.set()

    async def wait(self, predicate: Callable[[Any], bool], timeout: float = 15.0, start: int = 0) -> Any:
        """The first event at index >= start matching predicate (waits for it up to `timeout`)."""

        async def poll() -> Any:
            while True:
                for event in self.events[start:]:
                    if predicate(event):
                        return event
                if self.ended.is_set():
                    raise AssertionError(f"stream ended without the event; saw {self.summary()}")
                await asyncio.sleep(0.01)

        try:
            return await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s; saw {self.summary()}") from None

    def index(self, event: Any) -> int:
        return next(i for i, e in enumerate(self.events) if e is event)

    @property
    def job_events(self) -> list[JobEvent]:
        return [e for e in self.events if isinstance(e, JobEvent)]

    @property
    def ids(self) -> list[int]:
        return [e.message_id for e in self.job_events]

    def summary(self) -> str:
        return ", ".join(_short(e) for e in self.events[-40:])

    async def close(self) -> None:
        await asyncio.wait_for(self.sock.close(), 10)
        await asyncio.wait_for(self.ended.wait(), 10)


def _short(event: Any) -> str:
    name = type(event).__name__
    if isinstance(event, ConnectionEvent):
        return f"{name}({event.state})"
    if isinstance(event, JobEvent):
        return f"{name}#{event.message_id}"
    return name


def is_app(event: Any) -> bool:
    return isinstance(event, AppReadyEvent)


def is_live(event: Any) -> bool:
    return isinstance(event, ConnectionEvent) and event.state == "live"


def is_agent_chat(event: Any) -> bool:
    return isinstance(event, ChatEvent) and event.role == "agent"


def shape(event: Any) -> tuple[Any, ...]:
    """What the documented frame order fixes about an event."""
    if isinstance(event, ChatEvent):
        return ("chat", event.role)
    if isinstance(event, StatusEvent):
        return ("status", event.status)
    if isinstance(event, StepEvent):
        return ("step", event.stage, event.stage_status, event.progress)
    return (type(event).__name__,)


EXPECTED_SHAPES = [
    ("chat", "agent"),  # question 1, posted by POST jobs/ (history re-sync)
    ("chat", "user"), ("chat", "agent"),  # answer 1, question 2
    ("chat", "user"), ("chat", "agent"),  # answer 2, question 3
    ("chat", "user"), ("chat", "agent"),  # answer 3, acknowledgement
    ("status", "prd"),
    ("PrdEvent",),
    ("status", "building"),
    *[("step", stage, "done" if p == 100 else "running", p) for stage in STAGES for p in (25, 50, 75, 100)],
    ("status", "done"),
    ("AppReadyEvent",),
]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Callable[[LiveServer | str], Awaitable[ApiClient]]]:
    """`await api(server_or_url)`: an ApiClient registered as a fresh user (token store in tmp_path)."""
    made: list[ApiClient] = []

    async def make(target: LiveServer | str) -> ApiClient:
        url = target.url if isinstance(target, LiveServer) else target
        client = ApiClient(url, token_store=TokenStore(tmp_path / f"tokens{len(made)}"))
        made.append(client)
        name = unique()
        await client.register(name, "pass-word-123", email=f"{name}@example.com")
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def collectors() -> AsyncIterator[Callable[[JobSocket], Collector]]:
    made: list[Collector] = []

    def make(sock: JobSocket) -> Collector:
        collector = Collector(sock)
        made.append(collector)
        return collector

    yield make
    for collector in made:
        await collector.close()


def count_list_messages(client: ApiClient) -> list[int]:
    """Wraps `client.list_messages` (the socket's only REST read); returns a one-item call counter."""
    calls = [0]
    original = client.list_messages

    async def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return await original(*args, **kwargs)

    client.list_messages = counting  # type: ignore[method-assign]
    return calls


async def rest_ids(client: ApiClient, job_id: int) -> list[int]:
    return [m.id for m in await client.list_messages(job_id)]


async def run_full_job(client: ApiClient, collect: Callable[[JobSocket], Collector],
                       timeout: float = 20.0) -> tuple[Job, Collector]:
    """Create a job, open its socket at id 0, answer the 3 questions over the socket, wait for the app."""
    job = await client.create_job("A todo list app for families")
    col = collect(JobSocket(client, job.id, last_seen_id=0, backoff=FAST))
    await col.wait(is_live)
    await col.wait(is_agent_chat)  # question 1, from the history re-sync
    for n, answer in enumerate(ANSWERS, start=1):
        await col.sock.send_chat(answer)
        echo = await col.wait(lambda e, a=answer: isinstance(e, ChatEvent) and e.role == "user"
                              and e.text == a)
        await col.wait(is_agent_chat, start=col.index(echo) + 1)
        assert sum(isinstance(e, ChatEvent) and e.role == "user" for e in col.events) == n
    await col.wait(is_app, timeout=timeout)
    return job, col


def assert_ids_exact(delivered: list[int], rest: list[int]) -> None:
    assert delivered == sorted(set(delivered)), f"not strictly increasing / duplicated: {delivered}"
    assert delivered == rest, f"socket ids {delivered} != REST ids {rest}"


# ----- life cycle, both dialects --------------------------------------------------------------------------
async def test_documented_full_life_cycle(live_server: LiveServer, api: Any, collectors: Any) -> None:
    client = await api(live_server)
    job, col = await run_full_job(client, collectors)

    assert isinstance(col.events[0], ConnectionEvent) and col.events[0].state == "connecting"
    first_job_event = col.job_events[0]
    assert isinstance(first_job_event, ChatEvent) and first_job_event.role == "agent"
    assert first_job_event.job_id == job.id and first_job_event.text
    assert [shape(e) for e in col.job_events] == EXPECTED_SHAPES
    assert [e.text for e in col.job_events if isinstance(e, ChatEvent) and e.role == "user"] == list(ANSWERS)
    assert all(e.job_id == job.id for e in col.job_events)
    assert not [e for e in col.events if isinstance(e, WarningEvent)]

    prd = next(e for e in col.job_events if isinstance(e, PrdEvent))
    app = col.job_events[-1]
    assert isinstance(app, AppReadyEvent)
    assert prd.prd.strip()
    assert app.app_id == (await client.get_job(job.id)).app_id and app.name and app.preview_url
    assert_ids_exact(col.ids, await rest_ids(client, job.id))


async def test_legacy_full_life_cycle(make_server: Callable[..., LiveServer], api: Any,
                                      collectors: Any) -> None:
    server = make_server(dialect="legacy", speed=0.02)
    client = await api(server)
    assert (await client.server_info()).ws_dialect == "legacy"
    job, col = await run_full_job(client, collectors)

    assert [shape(e) for e in col.job_events] == EXPECTED_SHAPES
    assert not [e for e in col.events if isinstance(e, WarningEvent)]
    app = col.job_events[-1]
    assert isinstance(app, AppReadyEvent) and app.app_id == (await client.get_job(job.id)).app_id
    assert_ids_exact(col.ids, await rest_ids(client, job.id))


async def test_no_rest_calls_while_live(live_server: LiveServer, api: Any, collectors: Any) -> None:
    client = await api(live_server)
    calls = count_list_messages(client)
    job, col = await run_full_job(client, collectors)

    assert not [e for e in col.events if isinstance(e, ConnectionEvent) and e.state == "reconnecting"]
    assert [e.state for e in col.events if isinstance(e, ConnectionEvent)] == ["connecting", "live"]
    assert calls[0] == 1, f"list_messages called {calls[0]} times while the socket was live"


async def test_last_seen_id_skips_history(live_server: LiveServer, api: Any, collectors: Any) -> None:
    client = await api(live_server)
    job = await client.create_job("A recipe book")
    first = (await client.list_messages(job.id))[-1]
    col = collectors(JobSocket(client, job.id, last_seen_id=first.id, backoff=FAST))
    await col.wait(is_live)
    await col.sock.send_chat("Home cooks")
    await col.wait(is_agent_chat)
    assert col.ids and col.ids[0] > first.id
    assert_ids_exact(col.ids, [m.id for m in await client.list_messages(job.id, after=first.id)])


# ----- restarts and outages ---------------------------------------------------------------------------
async def test_server_killed_mid_build_reconnects_without_gaps(make_server: Callable[..., LiveServer],
                                                               api: Any, collectors: Any) -> None:
    server = make_server(speed=0.15)
    client = await api(server)
    job = await client.create_job("A reading log")
    col = collectors(JobSocket(client, job.id, last_seen_id=0, backoff=FAST))
    await col.wait(is_live)
    await col.sock.send_chat("/go")
    await col.wait(lambda e: isinstance(e, StepEvent))  # the build is running

    await asyncio.to_thread(server.kill)
    reconnecting = await col.wait(lambda e: isinstance(e, ConnectionEvent) and e.state == "reconnecting")
    await asyncio.to_thread(server.start)
    await col.wait(is_live, start=col.index(reconnecting) + 1)
    await col.wait(is_app, timeout=25)

    assert reconnecting.attempt >= 1 and reconnecting.detail
    assert_ids_exact(col.ids, await rest_ids(client, job.id))
    assert [shape(e) for e in col.job_events] == [("chat", "agent"), ("chat", "user"), ("chat", "agent"),
                                                  *EXPECTED_SHAPES[7:]]


async def test_chat_sent_while_server_down_is_queued_then_delivered(make_server: Callable[..., LiveServer],
                                                                    api: Any, collectors: Any) -> None:
    server = make_server(speed=2.0)
    client = await api(server)
    job = await client.create_job("A garden planner")
    col = collectors(JobSocket(client, job.id, last_seen_id=0, backoff=FAST))
    await col.wait(is_live)
    await col.wait(is_agent_chat)

    await asyncio.to_thread(server.kill)
    reconnecting = await col.wait(lambda e: isinstance(e, ConnectionEvent) and e.state == "reconnecting")
    text = "Typed while the server was down"
    await col.sock.send_chat(text)
    queued = await col.wait(lambda e: isinstance(e, ChatQueued), timeout=2)
    assert queued.text == text
    assert not [e for e in col.events if isinstance(e, ChatEvent) and e.text == text]

    await asyncio.to_thread(server.start)
    await col.wait(is_live, start=col.index(reconnecting) + 1)
    echo = await col.wait(lambda e: isinstance(e, ChatEvent) and e.role == "user" and e.text == text)
    question = await col.wait(is_agent_chat, start=col.index(echo) + 1)  # the agent answered it
    assert question.message_id > echo.message_id
    assert col.index(queued) < col.index(echo)

    messages = await client.list_messages(job.id)
    assert [m.content for m in messages if m.role == "user"] == [text]  # delivered exactly once
    assert_ids_exact(col.ids, [m.id for m in messages])


async def test_job_deleted_while_connected_ends_the_stream(live_server: LiveServer, api: Any,
                                                          collectors: Any) -> None:
    client = await api(live_server)
    job = await client.create_job("A habit tracker")
    col = collectors(JobSocket(client, job.id, last_seen_id=0, backoff=FAST))
    await col.wait(is_live)
    await col.wait(is_agent_chat)

    await client.delete_job(job.id)
    gone = await col.wait(lambda e: isinstance(e, JobGoneEvent))
    assert gone.job_id == job.id
    await asyncio.wait_for(col.ended.wait(), 10)  # the iterator ends by itself
    after = col.events[col.index(gone) + 1:]
    assert all(isinstance(e, ConnectionEvent) and e.state == "closed" for e in after), after


async def test_unknown_job_ends_with_job_gone(live_server: LiveServer, api: Any, collectors: Any) -> None:
    client = await api(live_server)
    col = collectors(JobSocket(client, 999_999_999, last_seen_id=0, backoff=FAST))
    gone = await col.wait(lambda e: isinstance(e, JobGoneEvent))
    assert gone.job_id == 999_999_999
    await asyncio.wait_for(col.ended.wait(), 10)
    assert not col.job_events
