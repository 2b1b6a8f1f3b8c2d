"""apply_event: a list row follows a job's events the way the server's own job record changes."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.services import (
    AppReadyEvent,
    ChatEvent,
    Job,
    JobSnapshotEvent,
    PrdEvent,
    Stage,
    StatusEvent,
    StepEvent,
    apply_event,
    settled,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
T1 = datetime(2026, 11, 2, tzinfo=UTC)
STAGES = [Stage(name=n) for n in ("planning", "coding", "deploy")]


def job(**fields: object) -> Job:
    base = {"id": 7, "initial_prompt": "A todo app", "status": "collecting", "stages": STAGES,
            "created_at": T0, "updated_at": T0}
    return Job.model_validate({**base, **fields})


def test_status_change_stamps_updated_and_keeps_the_rest() -> None:
    after = apply_event(job(), StatusEvent(1, 7, "prd"), now=T1)
    assert after is not None
    assert (after.status, after.updated_at, after.initial_prompt) == ("prd", T1, "A todo app")


def test_building_starts_at_the_first_stage_and_done_clears_it() -> None:
    building = apply_event(job(status="prd"), StatusEvent(1, 7, "building"), now=T1)
    assert building is not None and building.current_stage == "planning"
    done = apply_event(building.model_copy(update={"current_stage": "deploy"}), StatusEvent(2, 7, "done"))
    assert done is not None and done.current_stage is None and not settled(done)


def test_step_updates_one_stage_in_place() -> None:
    after = apply_event(job(status="building"), StepEvent(3, 7, "coding", "running", 40), now=T1)
    assert after is not None
    assert [(s.name, s.status, s.progress) for s in after.stages] == [
        ("planning", "pending", 0), ("coding", "running", 40), ("deploy", "pending", 0)]
    assert after.current_stage == "coding"


def test_step_for_an_unknown_stage_is_appended() -> None:
    after = apply_event(job(status="building"), StepEvent(3, 7, "review", "running", 10))
    assert after is not None and [s.name for s in after.stages][-1] == "review"


def test_app_ready_settles_the_job() -> None:
    after = apply_event(job(status="done"), AppReadyEvent(9, 7, app_id=4, name="Todo"))
    assert after is not None and after.app_id == 4 and settled(after)


def test_events_that_change_nothing_visible_give_none() -> None:
    assert apply_event(job(), ChatEvent(1, 7, "agent", "Who is it for?")) is None
    assert apply_event(job(status="prd"), StatusEvent(2, 7, "prd")) is None
    assert apply_event(job(prd="# PRD"), PrdEvent(3, 7, "# PRD")) is None
    assert apply_event(job(app_id=4, status="done"), AppReadyEvent(4, 7, app_id=4)) is None


def test_failed_is_settled() -> None:
    after = apply_event(job(status="building"), StatusEvent(5, 7, "failed"))
    assert after is not None and settled(after)


def test_a_rest_snapshot_replaces_the_row_only_when_it_shows_something_new() -> None:
    """After a catch-up (unreadable frames), the job as REST has it is the truth for the list."""
    stale = job(status="building", current_stage="coding")
    done = job(status="done", current_stage=None, app_id=4, updated_at=T1,
               stages=[Stage(name=s.name, status="done", progress=100) for s in STAGES])
    assert apply_event(stale, JobSnapshotEvent(done)) == done and settled(done)
    assert apply_event(done, JobSnapshotEvent(done.model_copy(update={"updated_at": T0}))) is None
    assert apply_event(stale, JobSnapshotEvent(done.model_copy(update={"id": 8}))) is None  # another job
