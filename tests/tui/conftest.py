"""Fixtures of the shell tests (login, dashboard, create, help, CLI).

`ShellFake` is a small in-memory stand-in for ApiClient with fixed ids and timestamps: it is used ONLY by
snapshot tests so the SVGs are deterministic. Pilot tests use the real client against the live server.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.tui.harness import UnusedClient, capture_writes, wait_for
from tui.services import (
    AuthRequired,
    Job,
    JobPage,
    NotFound,
    ServerInfo,
    Session,
    Stage,
    User,
    ValidationFailed,
)
from tui.services.records import JobSummary, JobSummaryPage

NOW = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
STAGES = ("planning", "architecture", "coding", "testing", "deploy")


def fixed_clock() -> datetime:
    return NOW


def fake_job(job_id: int, prompt: str, status: str, minutes_ago: int, stage: str | None = None,
             progress: int = 0) -> Job:
    stages = []
    for name in STAGES:
        if stage is None:
            state, pct = ("done", 100) if status == "done" else ("pending", 0)
        elif name == stage:
            state, pct = ("failed" if status == "failed" else "running"), progress
        else:
            state, pct = ("done", 100) if STAGES.index(name) < STAGES.index(stage) else ("pending", 0)
        stages.append(Stage(name=name, status=state, progress=pct))
    current = stage or ("deploy" if status == "done" else None)
    moment = NOW - timedelta(minutes=minutes_ago)
    return Job(id=job_id, title=prompt.splitlines()[0][:60], initial_prompt=prompt, status=status,
               current_stage=current, stages=stages, prd=None, app_id=None, created_at=moment,
               updated_at=moment)


def sample_jobs() -> list[Job]:
    return [
        fake_job(12, "A todo app with due dates and reminders", "collecting", 2),
        fake_job(11, "Weather dashboard for my balcony sensors", "building", 5, "coding", 40),
        fake_job(10, "Recipe manager that scales ingredients", "prd", 9, "planning", 10),
        fake_job(9, "Invoice generator for freelancers, exports PDF", "done", 60 * 3),
        fake_job(8, "Chess puzzle trainer with spaced repetition", "failed", 60 * 26, "testing", 70),
        fake_job(7, "Habit tracker", "done", 60 * 24 * 8),
    ]


class ShellFake(UnusedClient):
    """Fixed data; only what the shell screens call. Never used by pilot tests."""

    def __init__(self, jobs: list[Job] | None = None, logged_in: bool = True,
                 server_url: str = "http://127.0.0.1:8000", allow_purge: bool = False) -> None:
        self.server_url = server_url
        self.jobs = list(jobs) if jobs is not None else sample_jobs()
        self.user = User(id=1, username="ada", email="ada@example.com", date_joined=NOW)
        self.logged_in = logged_in
        self.info = ServerInfo(name="appbuilder-reference", version="0.1.0", allow_job_purge=allow_purge,
                               max_prompt_length=20000)
        self.on_auth_lost: Callable[[str], None] | None = None
        self.closed = False
        self.next_id = 100

    @property
    def session(self) -> Session | None:
        return Session(server_url=self.server_url, username=self.user.username) if self.logged_in else None

    @property
    def is_authenticated(self) -> bool:
        return self.logged_in

    async def server_info(self) -> ServerInfo:
        return self.info

    async def restore_session(self, meanwhile: Callable[[], object] | None = None) -> User | None:
        if self.logged_in and meanwhile is not None:
            meanwhile()
        return self.user if self.logged_in else None

    async def login(self, username: str, password: str) -> User:
        if password != "pw":
            raise AuthRequired("No active account found with the given credentials")
        self.logged_in = True
        return self.user

    async def register(self, username: str, password: str, email: str = "") -> User:
        raise ValidationFailed(fields={"username": ["A user with that username already exists."]})

    async def list_jobs(self, search: str | None = None, status: str | None = None) -> list[Job]:
        return list(self.jobs)

    async def job_pages(self, first: int = 200, size: int = 1000) -> AsyncIterator[tuple[list[Job], int]]:
        yield list(self.jobs), len(self.jobs)

    async def list_jobs_page(self, limit: int, offset: int = 0, search: str | None = None,
                             status: str | None = None, ordering: str | None = None) -> JobPage:
        return JobPage(count=len(self.jobs), results=self.jobs[offset:offset + limit])

    async def job_summary_pages(self, first: int = 200,
                                size: int = 1000) -> AsyncIterator[tuple[list[JobSummary], int]]:
        yield [JobSummary.of(job) for job in self.jobs], len(self.jobs)

    async def list_job_summaries(self, limit: int, offset: int = 0,
                                 updated_after: datetime | None = None) -> JobSummaryPage:
        page = [JobSummary.of(job) for job in self.jobs[offset:offset + limit]]
        return JobSummaryPage(count=len(self.jobs), results=page)

    async def create_job(self, prompt: str) -> Job:
        self.next_id += 1
        job = fake_job(self.next_id, prompt, "collecting", 0)
        self.jobs.insert(0, job)
        return job

    async def delete_job(self, job_id: int) -> None:
        if not any(job.id == job_id for job in self.jobs):
            raise NotFound()
        self.jobs = [job for job in self.jobs if job.id != job_id]

    async def purge_jobs(self) -> int:
        count, self.jobs = len(self.jobs), []
        return count

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture
def token_dir(tmp_path: Path) -> Path:
    path = tmp_path / "tokens"
    path.mkdir()
    return path


# ----- helpers for pilot tests against the real server -------------------------------------------------
until = wait_for  # bounded wait on app state (no fixed sleeps)


def real_client(server_url: str, token_dir: Path) -> Any:
    from tui.services.client import ApiClient
    from tui.services.tokens import TokenStore

    return ApiClient(server_url, token_store=TokenStore(token_dir))


async def logged_in_client(server_url: str, token_dir: Path, username: str, password: str) -> Any:
    client = real_client(server_url, token_dir)
    await client.login(username, password)
    return client


def screen_name(app: Any) -> str:
    return type(app.screen).__name__


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run in UTC (snapshots print local times)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@contextlib.asynccontextmanager
async def watching_a_build(server_url: str, token_dir: Path, user: dict, notify: bool,
                           size: tuple[int, int]) -> AsyncIterator[tuple[Any, Any, Any, Any, list[str]]]:
    """The real app on the real server, a new job's Live build screen opened from the dashboard (the user
    now watches it): yields (client, job, app, pilot, what the app writes to the terminal from then on)."""
    from tui.app import AppBuilderApp
    from tui.config import Settings
    from tui.messages import OpenJob

    client = await logged_in_client(server_url, token_dir, user["username"], user["password"])
    job = await client.create_job("A todo app with due dates")
    app = AppBuilderApp(client, settings=Settings(notify=notify))
    async with app.run_test(size=size) as pilot:
        written = capture_writes(app)
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard")
        app.post_message(OpenJob(job.id))
        await until(pilot, lambda: screen_name(app) == "LiveBuildScreen", what="live build screen")
        yield client, job, app, pilot, written
    await client.aclose()
