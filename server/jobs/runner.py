"""The per-process job runner: renews this process's leases and takes over jobs nobody holds.

One runs on every server process's event loop (started by the ASGI lifespan, `python -m server`, or
`python -m server worker`). It is what resumes unfinished builds after a restart, and what finishes the
builds of a process that died, once their leases expire (`JOB_LEASE_SECONDS`).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging

from channels.db import database_sync_to_async
from django.conf import settings

from . import lease, pipeline

log = logging.getLogger(__name__)
BATCH = 50  # jobs claimed per poll
runtime = pipeline.runtime


def interval() -> float:
    """Seconds between heartbeats: a third of the lease, so two can be missed before it expires."""
    return settings.JOB_LEASE_SECONDS / 3


async def tick() -> list[int]:
    """One heartbeat and one claim; returns the ids of the jobs taken over (now running here)."""
    running = runtime.running_job_ids()
    await database_sync_to_async(lease.renew)(running)
    claimed = await database_sync_to_async(lease.claim_orphans)(BATCH, exclude=running)
    for job_id in claimed:
        runtime.schedule(job_id)
    if claimed:
        log.info("job runner %s took over jobs %s", lease.runner_id(), claimed)
    return claimed


async def supervise() -> None:
    while True:
        try:
            await tick()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database is away: keep the process up, try again next beat
            log.warning("job runner: %s: %s", type(exc).__name__, exc)
        await asyncio.sleep(interval())


def start() -> None:
    """Start the runner on the running loop (idempotent); attaches the runtime to that loop."""
    loop = asyncio.get_running_loop()
    runtime.attach(loop)
    task = runtime.runner_task
    if task is not None and not task.done() and task.get_loop() is loop:
        return
    runtime.runner_task = loop.create_task(supervise(), name="job-runner", context=contextvars.Context())


async def stop() -> None:
    """Stop the runner and this loop's pipelines, then hand their leases back for another process."""
    task, runtime.runner_task = runtime.runner_task, None
    if task is not None and task.get_loop() is asyncio.get_running_loop():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await runtime.cancel_all()
    try:
        await database_sync_to_async(lease.release_all)()
    except Exception as exc:  # they expire by themselves
        log.warning("job runner: leases not released: %s", exc)
