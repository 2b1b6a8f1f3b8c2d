"""JobWatcher without Textual: scripted event streams stand in for job sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tui.services.errors import ServerUnavailable
from tui.services.events import (
    ApiFallbackEvent,
    AppReadyEvent,
    Event,
    JobGoneEvent,
    StatusEvent,
    StepEvent,
)
from tui.services.job_watcher import JobChanged, JobRemoved, JobWatcher, SocketFallback, Update
from tui.services.records import JobSummary

START = datetime(2026, 1, 1, tzinfo=UTC)


def row(job_id: int, status: str = "building", minutes: int = 0) -> JobSummary:
    return JobSummary(id=job_id, title=f"job {job_id}", initial_prompt="p", status=status,
                      created_at=START, updated_at=START + timedelta(minutes=minutes))


class Streams:
    """One queue of events per job; `None` ends a stream; an exception is raised from it."""

    def __init__(self) -> None:
        self.queues: dict[int, asyncio.Queue[Event | Exception | None]] = {}
        self.closed: list[int] = []

    def __call__(self, job_id: int) -> AsyncIterator[Event]:
        return self.stream(job_id)

    def queue(self, job_id: int) -> asyncio.Queue[Event | Exception | None]:
        return self.queues.setdefault(job_id, asyncio.Queue())

    async def stream(self, job_id: int) -> AsyncIterator[Event]:
        try:
            while (item := await self.queue(job_id).get()) is not None:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            self.closed.append(job_id)


async def next_update(watcher: JobWatcher) -> Update:
    return await asyncio.wait_for(watcher.queue.get(), timeout=5)


async def settle(watcher: JobWatcher, job_id: int) -> None:
    async def gone() -> None:
        while job_id in watcher.watching:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(gone(), timeout=5)


async def test_follows_the_newest_running_builds_only() -> None:
    watcher = JobWatcher(Streams(), limit=2)
    watcher.follow([row(1, minutes=1), row(2, minutes=2), row(3, minutes=3), row(4, "done", minutes=9)])
    assert watcher.watching == {2, 3}
    watcher.follow([row(1, minutes=1), row(2, "failed", minutes=2), row(3, minutes=3)])
    assert watcher.watching == {1, 3}
    await watcher.aclose()
    assert watcher.watching == set()


async def test_events_become_typed_updates_until_the_build_settles() -> None:
    streams = Streams()
    watcher = JobWatcher(streams)
    watcher.follow([row(7, "prd")])
    events = streams.queue(7)
    events.put_nowait(StepEvent(message_id=1, job_id=7, stage="coding", stage_status="running", progress=40))
    update = await next_update(watcher)
    assert isinstance(update, JobChanged) and update.previous.status == "prd"
    shown = (update.job.status, update.job.current_stage, update.job.stage_progress)
    assert shown == ("building", "coding", 40)
    events.put_nowait(StatusEvent(message_id=2, job_id=7, status="done"))
    events.put_nowait(AppReadyEvent(message_id=3, job_id=7, app_id=70))
    done = await next_update(watcher)
    assert isinstance(done, JobChanged) and done.job.status == "done" and done.job.current_stage is None
    app = await next_update(watcher)
    assert isinstance(app, JobChanged) and app.job.app_id == 70
    await settle(watcher, 7)  # settled: the socket is let go
    assert streams.closed == [7]


async def test_gone_fallback_and_errors() -> None:
    streams = Streams()
    watcher = JobWatcher(streams)
    watcher.follow([row(1), row(2)])
    streams.queue(1).put_nowait(ApiFallbackEvent(job_id=1, text="polling"))
    streams.queue(1).put_nowait(JobGoneEvent(job_id=1))
    assert await next_update(watcher) == SocketFallback(1, "polling")
    assert await next_update(watcher) == JobRemoved(1)
    streams.queue(2).put_nowait(ServerUnavailable("down"))
    await settle(watcher, 2)  # an error ends following that job only; nothing is queued for it
    assert watcher.queue.empty() and sorted(streams.closed) == [1, 2]
    await watcher.aclose()


async def test_a_fresher_row_from_a_poll_is_what_events_apply_to() -> None:
    streams = Streams()
    watcher = JobWatcher(streams)
    watcher.follow([row(3)])
    watcher.refresh(replace(row(3, minutes=5), title="renamed"))
    streams.queue(3).put_nowait(StepEvent(message_id=1, job_id=3, stage="testing", stage_status="running",
                                          progress=10))
    update = await next_update(watcher)
    assert isinstance(update, JobChanged) and update.job.title == "renamed"
    await watcher.aclose()
