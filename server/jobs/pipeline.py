"""The job pipeline: collecting (questions) -> prd -> building (stages) -> done, as asyncio tasks.

Each step is persisted (message + job row + `pipeline_step`) in one transaction, so a restarted server
resumes every unfinished job from its last persisted step. Tasks run on the server's event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import functools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import OperationalError, transaction

from . import lease
from .agent import DEFAULT_AGENT, QUESTION_COUNT, Agent
from .models import STAGE_NAMES, App, Job, JobMessage, derive_title
from .services import post_message

log = logging.getLogger(__name__)
T = TypeVar("T")
GO = "/go"
ACTIVE = (Job.Status.PRD, Job.Status.BUILDING)

RETRY_FIRST, RETRY_MAX = 0.1, 5.0  # backoff (seconds) while the database is locked or read-only


@dataclass(frozen=True)
class Step:
    kind: str
    content: str
    data: dict[str, Any] = field(default_factory=dict)


def answers(job: Job) -> list[str]:
    """The user's answers to the agent's questions (first chats, `/go` excluded)."""
    texts = (
        JobMessage.objects.filter(job=job, kind="chat", role="user")
        .order_by("id")
        .values_list("content", flat=True)
    )
    return [t for t in texts if t.strip() != GO][:QUESTION_COUNT]


def plan(job: Job, agent: Agent = DEFAULT_AGENT) -> list[Step]:
    """Every step after collecting, in order; deterministic for a given job."""
    steps = [
        Step("status", "Writing the product requirements", {"status": "prd"}),
        Step("prd", "PRD ready", {}),
        Step("status", "Building the app", {"status": "building"}),
    ]
    for stage in STAGE_NAMES:
        for progress, text in agent.stage_steps(stage, job.initial_prompt):
            state = "done" if progress >= 100 else "running"
            steps.append(Step("step", text, {"stage": stage, "stage_status": state, "progress": progress}))
    steps.append(Step("status", "Build complete", {"status": "done"}))
    return steps


def _apply(job: Job, step: Step, agent: Agent) -> dict[str, Any]:
    """Mutates the job for one step; returns the message data. The `done` step also creates the App."""
    data = dict(step.data)
    if step.kind == "status":
        job.status = data["status"]
        if job.status == Job.Status.DONE:
            spec = agent.build_app(job.initial_prompt, answers(job))
            app = App.objects.create(
                job=job,
                owner_id=job.owner_id,
                name=spec.name,
                description=spec.description,
                files=spec.files,
                file_count=len(spec.files),
                architecture=spec.architecture,
            )
            app.preview_url = f"https://preview.appbuilder.example/apps/{app.pk}/"
            app.save(update_fields=["preview_url"])
            job.current_stage = None
        elif job.status == Job.Status.BUILDING:
            job.current_stage = STAGE_NAMES[0]
    elif step.kind == "prd":
        job.prd = agent.prd(job.initial_prompt, answers(job))
        data["prd"] = job.prd
    elif step.kind == "step":
        stages = copy.deepcopy(job.stages)
        for stage in stages:
            if stage["name"] == data["stage"]:
                stage["status"], stage["progress"] = data["stage_status"], data["progress"]
        job.stages, job.current_stage = stages, data["stage"]
    return data


def run_step_sync(
    job_id: int, agent: Agent = DEFAULT_AGENT, notify: bool = True, runner: str | None = None
) -> bool:
    """Persist the job's next step; True while more steps remain. False when done, deleted or not active,
    or when `runner` no longer holds the job's lease (another process took it over: see lease.py)."""
    with transaction.atomic():
        # the row lock orders concurrent steppers (Postgres READ COMMITTED); SQLite ignores it
        job = Job.objects.select_for_update().filter(pk=job_id, status__in=ACTIVE).first()
        if job is None or not lease.holds(job, runner):
            return False
        steps = plan(job, agent)
        if job.pipeline_step >= len(steps):
            return False
        step = steps[job.pipeline_step]
        data = _apply(job, step, agent)
        job.pipeline_step += 1
        job.save()
        post_message(
            job, step.kind, "system" if step.kind != "prd" else "agent", step.content, data, notify=notify
        )
        if job.status == Job.Status.DONE:
            app = App.objects.get(job=job)
            post_message(
                job,
                "app",
                "system",
                f"{app.name} is ready",
                {"app_id": app.pk, "name": app.name, "preview_url": app.preview_url},
                notify=notify,
            )
        return job.pipeline_step < len(steps)


def fail_job_sync(job_id: int, text: str) -> None:
    with transaction.atomic():
        job = Job.objects.filter(pk=job_id).first()
        if job is None:
            return
        job.status = Job.Status.FAILED
        job.lease_owner = job.lease_expires = None  # a retry may run it on any process at once
        job.stages = [{**s, "status": "failed"} if s["status"] == "running" else s for s in job.stages]
        job.save()
        post_message(job, "error", "system", text, {"code": "pipeline_failed"})
        post_message(job, "status", "system", "Build failed", {"status": "failed"})


def retry_sync(job_id: int) -> bool:
    """Resume a failed build from its last persisted step; False when the job is not failed."""
    with transaction.atomic():
        job = Job.objects.filter(pk=job_id, status=Job.Status.FAILED).first()
        if job is None:
            return False
        job.status = Job.Status.PRD if job.pipeline_step < 3 else Job.Status.BUILDING  # step 3: building
        job.stages = [{**s, "status": "running"} if s["status"] == "failed" else s for s in job.stages]
        job.save()
        post_message(job, "status", "system", "Retrying the build", {"status": job.status})
        transaction.on_commit(lambda: runtime.schedule(job_id))
    return True


def begin_sync(job_id: int, ack: str | None = None) -> bool:
    """End collecting (only if still collecting), persist the first step and schedule the rest."""
    with transaction.atomic():
        if not Job.objects.filter(pk=job_id, status=Job.Status.COLLECTING).update(status=Job.Status.PRD):
            return False
        if ack:
            post_message(Job.objects.get(pk=job_id), "chat", "agent", ack)
        run_step_sync(job_id)
        if runtime.has_loop:
            lease.grant(job_id)  # this process runs it: no other process may claim it meanwhile
        transaction.on_commit(lambda: runtime.schedule(job_id))
    return True


def user_chat_sync(job: Job, text: str, agent: Agent = DEFAULT_AGENT) -> JobMessage:
    """A user chat while collecting: persist it, then the agent asks the next question or starts the build."""
    with transaction.atomic():
        message = post_message(job, "chat", "user", text)
        if text.strip() == GO:
            begin_sync(job.pk, agent.acknowledgement(early=True))
            return message
        count = len(answers(job))
        if count < QUESTION_COUNT:
            post_message(job, "chat", "agent", agent.question(job.initial_prompt, count))
        else:
            begin_sync(job.pk, agent.acknowledgement(early=False))
        return message


def create_job_sync(owner: Any, prompt: str, agent: Agent = DEFAULT_AGENT) -> Job:
    with transaction.atomic():
        job = Job.objects.create(owner=owner, initial_prompt=prompt, title=derive_title(prompt))
        post_message(job, "chat", "agent", agent.question(prompt, 0))
    return job


# --- asyncio side ---------------------------------------------------------------------------------------


class JobRuntime:
    """This process's event loop and the tasks on it (pipelines, the job runner): the one owner of that
    state, `runtime`, created once per process. Sync code (views, on_commit hooks) schedules through it."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.tasks: dict[int, asyncio.Task] = {}
        self.runner_task: asyncio.Task | None = None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """The server's loop (bound once: at lifespan startup, by `python -m server`, or on a first call)."""
        self.loop = loop

    @property
    def has_loop(self) -> bool:
        return self.loop is not None and not self.loop.is_closed()

    def schedule(self, job_id: int) -> None:
        """Run the job's pipeline on the server loop (callable from the loop or from any thread)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            if self.loop is None or self.loop.is_closed():
                log.debug("no event loop: job %s will resume at the next server start", job_id)
                return
            self.loop.call_soon_threadsafe(self.ensure, job_id, context=contextvars.Context())
        else:
            self.ensure(job_id)

    def run_on_loop(self, make: Callable[[], Coroutine[Any, Any, Any]], name: str) -> bool:
        """Start `make()` as a task on the server loop from a sync view; False when there is no loop."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return False
        loop.call_soon_threadsafe(lambda: loop.create_task(make(), name=name), context=contextvars.Context())
        return True

    def ensure(self, job_id: int) -> None:
        """The job's pipeline task on the running loop (started unless already running there)."""
        loop = asyncio.get_running_loop()
        task = self.tasks.get(job_id)
        if task is not None and not task.done() and task.get_loop() is loop:
            return
        # A fresh context: the caller's (e.g. a sync_to_async thread's) context vars must not leak into it.
        task = loop.create_task(run_job(job_id), name=f"pipeline-{job_id}", context=contextvars.Context())
        self.tasks[job_id] = task
        task.add_done_callback(functools.partial(self._forget, job_id))

    def _forget(self, job_id: int, task: asyncio.Task) -> None:
        if self.tasks.get(job_id) is task:
            del self.tasks[job_id]

    async def cancel_all(self) -> None:
        """Cancel this loop's pipeline tasks (shutdown, tests); their jobs resume at the next start."""
        loop = asyncio.get_running_loop()
        tasks = [t for t in list(self.tasks.values()) if t.get_loop() is loop and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def running_job_ids(self) -> list[int]:
        """Jobs whose pipeline runs on this process's loop (their leases need a heartbeat)."""
        loop = asyncio.get_running_loop()
        return [job_id for job_id, t in list(self.tasks.items()) if t.get_loop() is loop and not t.done()]


runtime = JobRuntime()


async def retrying(job_id: int, func: Callable[..., T], *args: Any) -> T:
    """`func(*args)` in a DB thread, retried with backoff while the database is locked or read-only.

    Such errors are transient (another process holds the write lock; a disk remounted): they must delay a
    build, not fail it. Each step is one transaction, so a failed attempt left nothing behind."""
    delay = RETRY_FIRST
    call = database_sync_to_async(func)
    while True:
        try:
            return await call(*args)
        except OperationalError as exc:
            log.warning("job %s: database unavailable (%s); retrying in %.1fs", job_id, exc, delay)
            await asyncio.sleep(delay)
            delay = min(RETRY_MAX, delay * 2)


async def run_job(job_id: int) -> None:
    """Step the job until done; stops quietly when the job is deleted, another process holds (or takes over)
    its lease, or the server shuts down."""
    try:
        if not await retrying(job_id, lease.claim, job_id):
            return
        while True:
            await asyncio.sleep(settings.PIPELINE_SPEED)
            if not await retrying(job_id, run_step_sync, job_id, DEFAULT_AGENT, True, lease.runner_id()):
                break
    except asyncio.CancelledError:
        raise  # shutdown: runner.stop() hands every lease back at once
    except Exception as exc:
        log.exception("pipeline for job %s failed", job_id)
        await retrying(job_id, fail_job_sync, job_id, f"The build failed: {exc}")


def unfinished_job_ids() -> list[int]:
    return list(Job.objects.filter(status__in=ACTIVE).values_list("pk", flat=True))


async def resume_unfinished() -> int:
    """Schedule every job left in prd/building; returns how many."""
    ids = await database_sync_to_async(unfinished_job_ids)()
    for job_id in ids:
        runtime.ensure(job_id)
    return len(ids)


def run_to_end_sync(job_id: int) -> None:
    """Finish a pipeline synchronously without broadcasting (seeding)."""
    while run_step_sync(job_id, notify=False):
        pass
