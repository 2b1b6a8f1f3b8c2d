"""Agent determinism, the pipeline step sequence, resume from a persisted step, seeding, frames."""

from __future__ import annotations

from typing import Any

import pytest

from server.jobs import pipeline
from server.jobs.agent import ScriptedAgent
from server.jobs.models import STAGE_NAMES, App, Job, JobMessage
from server.jobs.seed import seed_demo
from server.jobs.services import message_frame

pytestmark = pytest.mark.django_db


def test_agent_is_deterministic_and_uses_the_answers() -> None:
    agent = ScriptedAgent()
    prompt = "A recipe manager for busy parents. Save recipes and plan meals."
    assert agent.prd(prompt, ["Parents", "Ingredients"]) == agent.prd(prompt, ["Parents", "Ingredients"])
    prd = agent.prd(prompt, ["Parents who cook", "Ingredients and steps", "Mobile first"])
    assert prd.startswith("# A recipe manager") and "Parents who cook" in prd and "Mobile first" in prd
    assert "Recipe" in agent.build_app(prompt, []).files[2]["content"]
    assert len({agent.question(prompt, i) for i in range(3)}) == 3


def test_full_sequence_and_resume(alice: Any) -> None:
    job = pipeline.create_job_sync(alice, "A habit tracker")
    for text in ("Teams", "Habits"):
        pipeline.user_chat_sync(job, text)
    assert pipeline.begin_sync(job.pk, "ok") is True
    assert pipeline.begin_sync(job.pk) is False
    for _ in range(5):
        pipeline.run_step_sync(job.pk)
    job.refresh_from_db()
    assert job.status == "building" and job.current_stage == "planning" and job.pipeline_step == 6
    pipeline.run_to_end_sync(job.pk)  # resumes from pipeline_step: no step repeated
    kinds = list(JobMessage.objects.filter(job=job).values_list("kind", flat=True))
    assert kinds == ["chat"] * 6 + ["status", "prd", "status"] + ["step"] * 4 * len(STAGE_NAMES) + [
        "status",
        "app",
    ]
    steps = JobMessage.objects.filter(job=job, kind="step")
    assert [m.data["progress"] for m in steps[:4]] == [25, 50, 75, 100]
    assert [m.data["stage_status"] for m in steps[:4]] == ["running", "running", "running", "done"]
    assert App.objects.filter(job=job).count() == 1
    assert pipeline.run_step_sync(job.pk) is False


def test_deleted_job_stops_cleanly(alice: Any) -> None:
    job = pipeline.create_job_sync(alice, "A habit tracker")
    pipeline.begin_sync(job.pk)
    Job.objects.filter(pk=job.pk).delete()
    assert pipeline.run_step_sync(job.pk) is False


def test_seed_demo_creates_each_state_once() -> None:
    assert seed_demo() is True
    assert seed_demo() is False
    statuses = sorted(Job.objects.filter(owner__username="demo").values_list("status", flat=True))
    assert statuses == ["building", "collecting", "done", "failed"]
    assert App.objects.filter(owner__username="demo").count() == 1
    assert pipeline.unfinished_job_ids() == list(
        Job.objects.filter(status="building").values_list("pk", flat=True)
    )


def test_frames_in_both_dialects(alice: Any) -> None:
    job = pipeline.create_job_sync(alice, "A habit tracker")
    pipeline.begin_sync(job.pk)
    pipeline.run_to_end_sync(job.pk)
    by_kind = {m.kind: m for m in JobMessage.objects.filter(job=job)}
    chat, prd, app = by_kind["chat"], by_kind["prd"], by_kind["app"]
    assert message_frame(chat, "documented") == {
        "kind": "chat",
        "id": chat.pk,
        "job_id": job.pk,
        "role": "agent",
        "text": chat.content,
        "created_at": chat.created_at.isoformat().replace("+00:00", "Z"),
    }
    documented = message_frame(prd, "documented")
    assert (
        documented["kind"] == "status"
        and documented["status"] == "prd"
        and documented["prd"].startswith("# ")
    )
    legacy = message_frame(app, "legacy")
    assert legacy["type"] == "jobStatus" and legacy["status"] == "done" and legacy["messageId"] == app.pk
    assert legacy["appId"] == App.objects.get(job=job).pk and legacy["previewUrl"].startswith("https://")
    assert message_frame(prd, "legacy")["type"] == "prdReady"
    step = JobMessage.objects.filter(job=job, kind="step").first()
    assert step is not None
    assert set(message_frame(step, "legacy")) == {
        "type",
        "messageId",
        "jobId",
        "stage",
        "state",
        "progress",
        "message",
        "timestamp",
    }
