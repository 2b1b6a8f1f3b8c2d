"""The jobs list read by raw SQL on SQLite (server/jobs/rawrows.py) answers the ORM path's bytes exactly.

Every URL is asked twice, once down the ORM path (`uses_raw_rows` off, as on other backends) and once down
the raw one, over jobs that cover what the rows can hold: apps or none, PRD or none, a running stage with a
float progress, JSON `null` stages, unicode (U+2028 too), LIKE wildcards in titles, and every form of stored
timestamp (no fraction, six digits, SQLite's three, a zero fraction, text with an offset), with ties.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import JSONField, Value
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from server.jobs import serializers, views
from server.jobs.models import App, Job
from server.jobs.rawrows import JobRows

ORDERINGS = ["-updated_at", "updated_at", "-created_at", "created_at", "id", "-id"]
# Stored timestamp text (what the raw path formats itself) -> jobs get these, some shared (cursor ties).
TIMES = ["2026-01-02 03:04:05", "2026-01-02 03:04:05.123456", "2026-01-02 03:04:05.120",
         "2026-01-02 03:04:05.000", "2026-01-02 03:04:05.123456", "2026-01-02T04:04:05+01:00",
         "2025-12-31 23:59:59.999999", "2026-01-02 03:04:05.123456", "2026-03-01 00:00:00.5"]
PROMPTS = ["Plain job", "Café ☕ and 𝄞 music", "50% off_sale \\ backslash", "Line\u2028separator",
           "Ünïcödé title\nsecond line", "a_b c%d", "Just text", "Émoji 🎉 party", "Last one"]


def ask(api: APIClient, url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The answer down both paths; they must be the same bytes. Returns the raw path's answer."""
    monkeypatch.setattr(views, "uses_raw_rows", lambda: False)
    old = api.get(url)
    monkeypatch.setattr(views, "uses_raw_rows", lambda: True)
    new = api.get(url)
    assert (new.status_code, new.content) == (old.status_code, old.content), url
    assert new.status_code < 500 and new["Content-Type"].startswith("application/json"), url
    return new


@pytest.fixture
def jobs(api: APIClient, alice: Any, settings: Any) -> list[int]:
    settings.JOB_COUNT_CACHE_SECONDS = 0  # both paths count for themselves
    ids = []
    for prompt in PROMPTS:
        r = api.post("/api/jobs/", {"initial_prompt": prompt})
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    Job.objects.filter(pk=ids[0]).update(prd="# PRD\nCafé \u2028 ✓", status="done", current_stage=None)
    Job.objects.filter(pk=ids[1]).update(status="building", current_stage="coding", stages=[
        {"name": "planning", "status": "done", "progress": 100},
        {"name": "coding", "status": "running", "progress": 33.5}])
    Job.objects.filter(pk=ids[2]).update(stages=Value(None, JSONField()), status="failed")
    Job.objects.filter(pk=ids[3]).update(status="building", current_stage="testing", stages=[
        {"name": "testing", "status": "running", "progress": "n/a"}, {"name": "é", "extra": [1e-3, None]}])
    Job.objects.filter(pk=ids[4]).update(prd="", initial_prompt="x" * 400 + "é")
    for job_id in ids[::2]:
        App.objects.create(job_id=job_id, owner=alice, name=f"App {job_id}", files=[], architecture={})
    with connection.cursor() as cursor:
        for job_id, (created, updated) in zip(ids, zip(TIMES, reversed(TIMES), strict=True), strict=True):
            cursor.execute("UPDATE jobs_job SET created_at = %s, updated_at = %s WHERE id = %s",
                           [created, updated, job_id])
    return ids


@pytest.mark.django_db
class TestSameBytes:
    def test_the_raw_path_is_the_one_taken_on_sqlite(self, api: APIClient, jobs: list[int]) -> None:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/jobs/?limit=2").status_code == 200
        assert any('FROM "jobs_job" j WHERE' in q["sql"] for q in queries)

    @pytest.mark.parametrize("view", ["full", "summary"])
    @pytest.mark.parametrize("ordering", [*ORDERINGS, "title", "-title", "status", "status,-created_at"])
    def test_offset_pages(self, api: APIClient, jobs: list[int], monkeypatch: pytest.MonkeyPatch,
                          view: str, ordering: str) -> None:
        for page in ("limit=4", "limit=4&offset=4", "limit=4&offset=8", "limit=3&offset=99", ""):
            body = ask(api, f"/api/jobs/?view={view}&ordering={ordering}&{page}", monkeypatch).json()
        assert len(body["results"] if isinstance(body, dict) else body) == len(jobs)

    @pytest.mark.parametrize("view", ["full", "summary"])
    @pytest.mark.parametrize("ordering", ORDERINGS)
    def test_cursor_pages_forward_and_back(self, api: APIClient, jobs: list[int],
                                           monkeypatch: pytest.MonkeyPatch, view: str, ordering: str) -> None:
        url, seen, last = f"/api/jobs/?view={view}&ordering={ordering}&pagination=cursor&limit=2", [], None
        # Bounded: stored timestamps of mixed forms compare as text (both paths), so a walk over them by time
        # need not end where it would over one form.
        for _ in range(len(jobs)):
            if url is None:
                break
            body = ask(api, url, monkeypatch).json()
            seen += [row["id"] for row in body["results"]]
            url, last = body["next"], body
        if ordering.endswith("id"):
            assert url is None and sorted(seen) == sorted(jobs)
        url = last["previous"] if last else None
        for _ in range(len(jobs)):
            url = None if url is None else ask(api, url, monkeypatch).json()["previous"]

    @pytest.mark.parametrize("query", [
        "search=caf", "search=CAFÉ", "search=50%25", "search=a_b", "search=_", "search=%25", "search=%5C",
        "search=%F0%9F%8E%89", "search=nothing-matches", "status=building", "status=done,failed",
        "status=building&search=coding", "updated_after=2026-01-02T03:04:05Z",
        "updated_after=2026-01-02T03:04:05.12", "updated_after=2026-01-02 04:04:05 01:00",
        "updated_after=", "search=&status=&ordering=", "view=summary&search=job&status=collecting",
        "view=summary&updated_after=2026-01-01&pagination=cursor&limit=1&ordering=id",
    ])
    def test_filters(self, api: APIClient, jobs: list[int], monkeypatch: pytest.MonkeyPatch,
                     query: str) -> None:
        ask(api, f"/api/jobs/?{query}", monkeypatch)
        ask(api, f"/api/jobs/?limit=2&{query}", monkeypatch)

    @pytest.mark.parametrize("query", [
        "limit=1000000000000000000000000000", "limit=-1", "limit=abc", "limit=0", "offset=-5", "offset=x",
        "ordering=,,,", "ordering=-", "ordering=id;drop table jobs_job", "ordering=owner__password",
        "pagination=cursor&cursor=garbage", "pagination=cursor&limit=99999999999", "status=done,,nope",
        "updated_after=2026-13-45", "search=" + "s" * 1001, "pagination=cursor&ordering=title",
        "view=summary&view=full", "search=%00", "cursor=cD0x&pagination=cursor&ordering=-id",
        "cursor=cD1ub3Q&pagination=cursor&ordering=-id",
    ])
    def test_hostile_input_is_a_4xx_or_the_same_answer(self, api: APIClient, jobs: list[int],
                                                       monkeypatch: pytest.MonkeyPatch, query: str) -> None:
        ask(api, f"/api/jobs/?{query}", monkeypatch)

    def test_other_users_see_nothing_of_it(self, other_api: APIClient, jobs: list[int],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
        for url in ("/api/jobs/?limit=5", "/api/jobs/?pagination=cursor&view=summary", "/api/jobs/"):
            body = ask(other_api, url, monkeypatch).json()
            assert (body["results"] if isinstance(body, dict) else body) == []


@pytest.mark.django_db
class TestRenderedRows:
    """Raw rows are rendered once and remembered by their whole values (serializers.Rendered)."""

    def test_a_change_the_timestamps_do_not_show_is_still_seen(self, api: APIClient, jobs: list[int]) -> None:
        first = api.get("/api/jobs/?limit=20").json()["results"]
        stamp = Job.objects.filter(pk=jobs[0]).values_list("updated_at", flat=True).get()
        Job.objects.filter(pk=jobs[0]).update(title="Renamed", prd="New PRD", updated_at=stamp)  # same stamp
        App.objects.create(job_id=jobs[1], owner=Job.objects.get(pk=jobs[1]).owner, name="New app", files=[],
                           architecture={})
        again = {row["id"]: row for row in api.get("/api/jobs/?limit=20").json()["results"]}
        assert again[jobs[0]]["title"] == "Renamed" and again[jobs[0]]["prd"] == "New PRD"
        assert again[jobs[1]]["app_id"] is not None
        assert again[jobs[0]]["updated_at"] == next(r for r in first if r["id"] == jobs[0])["updated_at"]
        summary = {row["id"]: row for row in api.get("/api/jobs/?view=summary").json()}
        assert summary[jobs[0]]["title"] == "Renamed" and summary[jobs[1]]["app_id"] is not None

    def test_a_row_read_again_is_rendered_once_and_the_memory_is_bounded(
            self, monkeypatch: pytest.MonkeyPatch) -> None:
        calls: list[dict[str, Any]] = []
        rendered = serializers.Rendered(("id", "title"), lambda row: calls.append(row) or {"shown": row})
        monkeypatch.setattr(serializers.Rendered, "LIMIT", 3)
        first = rendered((1, "a"))
        assert rendered((1, "a")) is first and calls == [{"id": 1, "title": "a"}]
        assert rendered((1, "b")) == {"shown": {"id": 1, "title": "b"}} and len(calls) == 2
        for n in range(2, 10):
            rendered((n, "x"))
        assert len(rendered._rows) <= 3

    def test_long_rows_are_bounded_by_their_text(self, monkeypatch: pytest.MonkeyPatch) -> None:
        rendered = serializers.Rendered(("id", "prd"), lambda row: {"id": row["id"]})
        monkeypatch.setattr(serializers.Rendered, "CHARS", 6400)  # rows of up to 100 characters are kept
        huge = (1, "x" * 101)
        assert rendered(huge) == {"id": 1} and rendered._rows == {}  # rendered, never kept
        for n in range(200):
            rendered((n, "y" * 100))
            assert rendered._chars <= 6400 and rendered._chars == 100 * len(rendered._rows)


@pytest.mark.django_db
def test_the_default_order_is_read_from_the_index(alice: Any) -> None:
    """-updated_at, -id: one index walk that stops after the page, no sort of the user's rows."""
    rows = JobRows(alice.pk, False, {"search": "", "status": [], "ordering": ["-updated_at", "-id"]}, 300)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + rows._sql() + " LIMIT 50", rows.params)
        plan = " / ".join(str(step[-1]) for step in cursor.fetchall())
    assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan
