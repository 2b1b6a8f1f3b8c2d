"""records.py reads the start path's payloads without pydantic, as tolerantly as the models: extra keys
ignored, defaults for missing keys, a wrong type a ValueError (the client's "expected shape" ServerError:
test_client_errors.py)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tui.services.models import Job
from tui.services.records import PROMPT_SUMMARY, JobSummary, JobSummaryPage, LoginAnswer, ServerInfo, User

T0 = "2026-11-24T21:00:00Z"
T1 = "2026-11-24T21:05:00.250000+01:00"
ROW = {"id": 7, "title": "Chess club", "initial_prompt": "p", "status": "done", "current_stage": None,
       "stage_progress": None, "app_id": 3, "created_at": T0, "updated_at": T1}


def test_a_row_is_read_with_its_types_and_extra_keys_ignored() -> None:
    row = JobSummary.parse({**ROW, "score": 9, "owner": {"id": 1}})
    assert row == JobSummary(id=7, title="Chess club", initial_prompt="p", status="done", app_id=3,
                             created_at=datetime(2026, 11, 24, 21, tzinfo=UTC),
                             updated_at=datetime(2026, 11, 24, 21, 5, 0, 250000,
                                                 tzinfo=timezone(timedelta(hours=1))))


def test_missing_keys_take_their_defaults_and_a_missing_required_one_is_an_error() -> None:
    assert ServerInfo.parse({}) == ServerInfo()
    assert User.parse({"id": 1, "username": "ada"}).email == ""
    for key in ("id", "initial_prompt", "status", "created_at", "updated_at"):
        with pytest.raises(ValueError, match=f"JobSummary.{key}: missing"):
            JobSummary.parse({name: value for name, value in ROW.items() if name != key})


@pytest.mark.parametrize(("key", "value"), [
    ("id", "7"), ("id", 7.0), ("id", True), ("id", None), ("title", None), ("title", 5), ("status", ["done"]),
    ("app_id", "3"), ("stage_progress", 1.5), ("created_at", "yesterday"), ("created_at", None),
    ("created_at", 10 ** 20), ("created_at", float("nan")), ("updated_at", {"at": T0}),
])
def test_a_wrong_type_is_a_value_error_naming_the_field(key: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"JobSummary.{key}: "):
        JobSummary.parse({**ROW, key: value})


@pytest.mark.parametrize("body", [None, [], "ok", 7, {"results": None}, {"results": [1]},
                                  {"results": [ROW], "count": "1"}, {"results": [ROW], "next": 5}])
def test_a_page_that_is_not_one_is_a_value_error(body: object) -> None:
    with pytest.raises(ValueError):
        JobSummaryPage.parse(body)


def test_times_are_read_as_pydantic_read_them() -> None:
    epoch = JobSummary.parse({**ROW, "created_at": 0, "updated_at": 1.5})
    assert epoch.created_at == datetime(1970, 1, 1, tzinfo=UTC)
    assert epoch.updated_at == datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)
    naive = JobSummary.parse({**ROW, "created_at": "2026-11-24T21:00:00"}).created_at
    assert naive == datetime(2026, 11, 24, 21) and naive.tzinfo is None


def test_a_full_job_is_read_as_its_summary() -> None:
    full = {**ROW, "initial_prompt": "x" * 5000, "prd": "# PRD" * 1000, "current_stage": "coding",
            "stages": [{"name": "design", "progress": 100}, {"name": "coding", "progress": 40}]}
    row = JobSummary.parse(full)
    assert row.initial_prompt == "x" * PROMPT_SUMMARY and row.stage_progress == 40
    assert not hasattr(row, "prd") and not hasattr(row, "stages")
    assert row == JobSummary.of(Job.model_validate(full))  # the same summary from a parsed job


def test_records_are_frozen_and_nest() -> None:
    answer_ = LoginAnswer.parse({"access": "a", "refresh": "r", "user": {"id": 1, "username": "ada"}})
    assert answer_.user == User(id=1, username="ada")
    with pytest.raises(FrozenInstanceError):
        answer_.user.username = "eve"  # type: ignore[misc]
    with pytest.raises(ValueError, match="LoginAnswer.user: User.id: missing"):
        LoginAnswer.parse({"access": "a", "refresh": "r", "user": {"username": "ada"}})
