"""The runner lease: exactly one server process runs a job's pipeline, across any number of processes.

A process holds a job while `lease_owner` is its `runner_id()` and renews `lease_expires` (a heartbeat);
a job whose lease expired (its process died) is claimed by the next process that polls. Claims use
`select_for_update(skip_locked=True)` on Postgres and the database clock (`Now()`), so machines with skewed
clocks agree; on SQLite (one writer at a time) the same statements are serialised by the database.
Every pipeline step also checks the lease under a row lock (`pipeline.run_step_sync`), so a process that
lost its lease persists nothing more. A finished job keeps the id of the process that finished it; a failed
one is released (`pipeline.fail_job_sync`), so a retry can run anywhere.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, Q, Value
from django.db.models.functions import Now

from .models import Job

ACTIVE = (Job.Status.PRD, Job.Status.BUILDING)
_runner: tuple[int, str] | None = None


def runner_id() -> str:
    """This process's name in `lease_owner`: host, pid and a random part; new after a fork (gunicorn
    --preload imports the app before forking its workers, which must not share one id)."""
    global _runner
    pid = os.getpid()
    if _runner is None or _runner[0] != pid:
        _runner = (pid, f"{socket.gethostname()[:60]}:{pid}:{uuid.uuid4().hex[:12]}")
    return _runner[1]


def _expiry() -> ExpressionWrapper:
    ttl = timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return ExpressionWrapper(Now() + Value(ttl), output_field=DateTimeField())


def _claimable(runner: str) -> Q:
    return Q(lease_owner__isnull=True) | Q(lease_expires__lt=Now()) | Q(lease_owner=runner)


def claim(job_id: int, runner: str | None = None) -> bool:
    """Take (or keep) the job's lease if it is active and free, expired or already ours."""
    runner = runner or runner_id()
    with transaction.atomic():
        locked = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(_claimable(runner), pk=job_id, status__in=ACTIVE)
            .values_list("pk", flat=True)
        )
        if not list(locked):
            return False
        Job.objects.filter(pk=job_id).update(lease_owner=runner, lease_expires=_expiry())
    return True


def grant(job_id: int, runner: str | None = None) -> None:
    """Give the lease to `runner` unconditionally (the caller just started the job in this transaction)."""
    runner = runner or runner_id()
    Job.objects.filter(pk=job_id).update(lease_owner=runner, lease_expires=_expiry())


def claim_orphans(limit: int, runner: str | None = None, exclude: Iterable[int] = ()) -> list[int]:
    """Claim up to `limit` active jobs nobody holds (never started here, or their process died)."""
    runner = runner or runner_id()
    free = Q(lease_owner__isnull=True) | Q(lease_expires__lt=Now())
    if not Job.objects.filter(free, status__in=ACTIVE).exclude(pk__in=list(exclude)).exists():
        return []  # the common case: a read, no write lock (SQLite)
    with transaction.atomic():
        ids = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(free, status__in=ACTIVE)
            .exclude(pk__in=list(exclude))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Job.objects.filter(pk__in=ids).update(lease_owner=runner, lease_expires=_expiry())
    return ids


def renew(job_ids: Iterable[int], runner: str | None = None) -> int:
    """Heartbeat: extend our leases on these jobs (waits for our own step on a row); returns how many."""
    runner = runner or runner_id()
    ids = list(job_ids)
    if not ids:
        return 0
    return Job.objects.filter(pk__in=ids, lease_owner=runner).update(lease_expires=_expiry())


def release_all(runner: str | None = None) -> int:
    """Give up every lease we hold (clean shutdown), so another process takes the jobs over at once."""
    runner = runner or runner_id()
    return Job.objects.filter(lease_owner=runner).update(lease_owner=None, lease_expires=None)


def holds(job: Job, runner: str | None) -> bool:
    """Whether `runner` may persist the next step of this (row-locked) job; None skips the check."""
    return runner is None or job.lease_owner == runner
