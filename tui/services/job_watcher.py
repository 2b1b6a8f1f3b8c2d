"""Follow the newest running builds over their job sockets and say, as typed updates, what a list of jobs
must change: a row (`JobChanged`), a row gone (`JobRemoved`), the socket fell back to polling
(`SocketFallback`). Textual-free: one asyncio task per followed job, one queue read by `updates()`.

At most `limit` sockets are open at once (the newest running builds); a job whose build settles (failed,
or done with its app) is let go. A socket error only ends that job's following: the caller's periodic
poll covers jobs no socket follows.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tui.services.errors import ServiceError
from tui.services.events import (
    ApiFallbackEvent,
    AppReadyEvent,
    Event,
    JobGoneEvent,
    JobSnapshotEvent,
    PrdEvent,
    StatusEvent,
    StepEvent,
)
from tui.services.records import JobSummary

ACTIVE = ("prd", "building")
MAX_WATCHED = 8
OpenEvents = Callable[[int], AsyncIterable[Event]]  # job id -> its socket's events (closed by the watcher)


@dataclass(frozen=True)
class JobChanged:
    job: JobSummary
    previous: JobSummary


@dataclass(frozen=True)
class JobRemoved:
    job_id: int


@dataclass(frozen=True)
class SocketFallback:
    job_id: int
    text: str


Update = JobChanged | JobRemoved | SocketFallback


def is_active(job: JobSummary) -> bool:
    return job.status in ACTIVE


def settled(job: JobSummary) -> bool:
    """No more list-visible change can come."""
    return job.status == "failed" or (job.status == "done" and job.app_id is not None)


def apply_event(job: JobSummary, event: Event, now: datetime | None = None) -> JobSummary | None:
    """The list row after `event`, or None when the event changes nothing a list shows."""
    stamp = now or datetime.now(UTC)
    match event:
        case StatusEvent(status=status) if status != job.status:
            stage = job.current_stage  # as the server keeps it: cleared when done
            progress = job.stage_progress
            if status == "done":
                stage, progress = None, None
            return replace(job, status=status, current_stage=stage, stage_progress=progress, updated_at=stamp)
        case StepEvent(stage=name, progress=progress):
            status = "building" if job.status in ("collecting", "prd") else job.status
            if (name, progress, status) == (job.current_stage, job.stage_progress, job.status):
                return None
            return replace(job, current_stage=name, stage_progress=progress, status=status, updated_at=stamp)
        case PrdEvent():
            return replace(job, updated_at=stamp)  # the list keeps no PRD: only "updated" moves
        case AppReadyEvent(app_id=app_id) if app_id != job.app_id:
            return replace(job, app_id=app_id, status="done", updated_at=stamp)
        case JobSnapshotEvent(job=snapshot) if snapshot.id == job.id:
            fresh = JobSummary.of(snapshot)
            return fresh if shown(fresh) != shown(job) else None
    return None


def shown(job: JobSummary) -> tuple[object, ...]:
    return (job.title, job.initial_prompt, job.status, job.current_stage, job.stage_progress, job.app_id)


class JobWatcher:
    """Follows up to `limit` running builds (see the module docstring)."""

    def __init__(self, open_events: OpenEvents, limit: int = MAX_WATCHED) -> None:
        self.open_events = open_events
        self.limit = limit
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.latest: dict[int, JobSummary] = {}
        self.queue: asyncio.Queue[Update] = asyncio.Queue()

    @property
    def watching(self) -> set[int]:
        return set(self.tasks)

    def follow(self, jobs: Iterable[JobSummary]) -> None:
        """Follow the newest running builds among `jobs` (the whole list), stop following the rest."""
        active = sorted((job for job in jobs if is_active(job)), key=lambda job: job.updated_at,
                        reverse=True)[:self.limit]
        wanted = {job.id: job for job in active}
        for job_id in list(self.tasks):
            if job_id not in wanted:
                self.stop(job_id)
        for job_id, job in wanted.items():
            self.latest[job_id] = job
            if job_id not in self.tasks:
                self.tasks[job_id] = asyncio.create_task(self.run(job_id), name=f"watch job {job_id}")

    def refresh(self, job: JobSummary) -> None:
        """A newer row of a followed job came from elsewhere (a poll): fold later events into it."""
        if job.id in self.tasks:
            self.latest[job.id] = job

    def stop(self, job_id: int) -> None:
        task = self.tasks.pop(job_id, None)
        self.latest.pop(job_id, None)
        if task is not None:
            task.cancel()

    async def aclose(self) -> None:
        tasks = list(self.tasks.values())
        for job_id in list(self.tasks):
            self.stop(job_id)
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def updates(self) -> AsyncIterator[Update]:
        while True:
            yield await self.queue.get()

    async def run(self, job_id: int) -> None:
        events = self.open_events(job_id)
        try:
            async for event in events:
                if not self.handle(job_id, event):
                    return
        except ServiceError:
            pass  # the caller's poll takes over for this job
        finally:
            if self.tasks.get(job_id) is asyncio.current_task():
                del self.tasks[job_id]
                self.latest.pop(job_id, None)
            close = getattr(events, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    def handle(self, job_id: int, event: Event) -> bool:
        """Queue what `event` changes; False once nothing more is to come for this job."""
        if isinstance(event, JobGoneEvent):
            self.queue.put_nowait(JobRemoved(job_id))
            return False
        if isinstance(event, ApiFallbackEvent):
            self.queue.put_nowait(SocketFallback(job_id, event.text))
        job = self.latest.get(job_id)
        changed = apply_event(job, event) if job is not None else None
        if job is None or changed is None:
            return True
        self.latest[job_id] = changed
        self.queue.put_nowait(JobChanged(changed, job))
        return not settled(changed)
