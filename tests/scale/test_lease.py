"""The runner lease on the default SQLite database (the same statements the Postgres tests run)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from server.jobs import lease, pipeline
from server.jobs.models import Job, JobMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Any:
    return get_user_model().objects.create_user(username="leaser", password="pass-word-123")


def active_job(owner: Any, status: str = Job.Status.BUILDING) -> Job:
    job = pipeline.create_job_sync(owner, "A lease tracker")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.PRD, pipeline_step=1)
    if status != Job.Status.PRD:
        Job.objects.filter(pk=job.pk).update(status=status)
    return Job.objects.get(pk=job.pk)


def expire(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(lease_expires=timezone.now() - timedelta(seconds=1))


def test_one_runner_holds_a_job_until_its_lease_expires(owner: Any, settings: Any) -> None:
    settings.JOB_LEASE_SECONDS = 30
    job = active_job(owner)
    assert lease.claim(job.pk, "A") and lease.claim(job.pk, "A")
    assert not lease.claim(job.pk, "B"), "a live lease was taken"
    held = Job.objects.get(pk=job.pk)
    assert held.lease_owner == "A"
    assert timedelta(seconds=25) < held.lease_expires - timezone.now() <= timedelta(seconds=30)
    expire(job)
    assert lease.claim(job.pk, "B"), "an expired lease was not taken over"
    assert not lease.claim(job.pk, "A")


def test_a_runner_that_lost_its_lease_persists_no_step(owner: Any) -> None:
    job = active_job(owner)
    lease.grant(job.pk, "A")
    expire(job)
    assert lease.claim(job.pk, "B")
    messages = JobMessage.objects.filter(job=job).count()
    assert pipeline.run_step_sync(job.pk, runner="A") is False
    assert Job.objects.get(pk=job.pk).pipeline_step == 1
    assert JobMessage.objects.filter(job=job).count() == messages
    assert pipeline.run_step_sync(job.pk, runner="B") is True
    assert Job.objects.get(pk=job.pk).pipeline_step == 2


def test_orphans_are_active_jobs_nobody_holds(owner: Any) -> None:
    held, dead, fresh = active_job(owner), active_job(owner), active_job(owner, Job.Status.PRD)
    collecting = pipeline.create_job_sync(owner, "Still collecting")
    done = active_job(owner, Job.Status.DONE)
    lease.grant(held.pk, "A")
    lease.grant(dead.pk, "dead")
    expire(dead)
    assert lease.claim_orphans(10, "B") == [dead.pk, fresh.pk]
    assert lease.claim_orphans(10, "C") == []
    assert {j.pk: j.lease_owner for j in Job.objects.filter(pk__in=[collecting.pk, done.pk])} == {
        collecting.pk: None, done.pk: None}


def test_renew_and_release_touch_only_our_leases(owner: Any) -> None:
    ours, theirs = active_job(owner), active_job(owner)
    lease.grant(ours.pk, "A")
    lease.grant(theirs.pk, "B")
    expire(ours)
    assert lease.renew([ours.pk, theirs.pk], "A") == 1
    assert not lease.claim(ours.pk, "B"), "a renewed lease was taken"
    assert lease.release_all("A") == 1
    assert Job.objects.get(pk=ours.pk).lease_owner is None
    assert Job.objects.get(pk=theirs.pk).lease_owner == "B"


def test_a_failed_job_is_released_for_a_retry_anywhere(owner: Any) -> None:
    job = active_job(owner)
    lease.grant(job.pk, "A")
    pipeline.fail_job_sync(job.pk, "The build failed: boom")
    assert Job.objects.get(pk=job.pk).lease_owner is None


def test_each_process_has_its_own_runner_id(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = lease.runner_id()
    assert lease.runner_id() == parent
    monkeypatch.setattr(lease.os, "getpid", lambda: 424242)  # a forked worker (gunicorn --preload)
    child = lease.runner_id()
    assert child != parent and ":424242:" in child
