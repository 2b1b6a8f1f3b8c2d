"""Fold a job's socket events into its `Job` model, so a list can stay current without refetching.

`settled(job)` says when no more list-visible change can come (failed, or done with its app).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tui.services.events import AppReadyEvent, Event, JobSnapshotEvent, PrdEvent, StatusEvent, StepEvent
from tui.services.models import Job, Stage


def apply_event(job: Job, event: Event, now: datetime | None = None) -> Job | None:
    """The job as it is after `event`, or None when the event changes nothing a list shows."""
    stamp = {"updated_at": now or datetime.now(UTC)}
    match event:
        case StatusEvent(status=status) if status != job.status:
            stage = job.current_stage  # as the server keeps it: cleared when done, first stage on building
            if status == "done":
                stage = None
            elif status == "building" and stage is None and job.stages:
                stage = job.stages[0].name
            return job.model_copy(update={"status": status, "current_stage": stage, **stamp})
        case StepEvent(stage=name, stage_status=stage_status, progress=progress):
            stages = [s for s in job.stages if s.name != name]
            updated = Stage(name=name, status=stage_status, progress=progress)
            index = next((i for i, s in enumerate(job.stages) if s.name == name), len(stages))
            stages.insert(index, updated)
            status = "building" if job.status in ("collecting", "prd") else job.status
            return job.model_copy(update={"stages": stages, "current_stage": name, "status": status, **stamp})
        case PrdEvent(prd=prd) if prd != job.prd:
            return job.model_copy(update={"prd": prd, **stamp})
        case AppReadyEvent(app_id=app_id) if app_id != job.app_id:
            return job.model_copy(update={"app_id": app_id, "status": "done", **stamp})
        case JobSnapshotEvent(job=snapshot) if snapshot.id == job.id and shown(snapshot) != shown(job):
            return snapshot
    return None


def shown(job: Job) -> tuple[object, ...]:
    """What a list shows of a job (a REST snapshot that changes none of it changes nothing)."""
    return (job.title, job.initial_prompt, job.status, job.current_stage, job.prd, job.app_id,
            tuple((s.name, s.status, s.progress) for s in job.stages))


def settled(job: Job) -> bool:
    return job.status == "failed" or (job.status == "done" and job.app_id is not None)
