"""The jobs list's optional parameters: `view=summary`, `updated_after=`, `pagination=cursor` (api.md)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from server.jobs.models import Job
from server.jobs.rendering import FastJSONRenderer
from tests.support.live_server import LiveServer

SUMMARY_KEYS = {"id", "title", "initial_prompt", "status", "current_stage", "stage_progress", "app_id",
                "created_at", "updated_at"}


def create(client: APIClient, prompt: str) -> dict[str, Any]:
    r = client.post("/api/jobs/", {"initial_prompt": prompt})
    assert r.status_code == 201, r.content
    return r.json()


def make_jobs(client: APIClient, n: int) -> list[int]:
    """n jobs, oldest first, each updated a minute after the one before."""
    ids = [create(client, f"Job {i}")["id"] for i in range(n)]
    base = timezone.now() - timedelta(hours=1)
    for i, job_id in enumerate(ids):
        Job.objects.filter(pk=job_id).update(updated_at=base + timedelta(minutes=i))
    return ids


def cursor_query(url: str) -> str:
    return url.split("?", 1)[1]


@pytest.mark.django_db
class TestSummaryView:
    def test_rows_drop_stages_and_prd_and_cut_the_prompt(self, api: APIClient) -> None:
        long = "A shop\n" + "x" * 5000
        job = create(api, long)
        Job.objects.filter(pk=job["id"]).update(
            status="building", current_stage="coding", prd="# PRD",
            stages=[{"name": "planning", "status": "done", "progress": 100},
                    {"name": "coding", "status": "running", "progress": 40}],
        )
        create(api, "Still collecting")
        rows = api.get("/api/jobs/?view=summary").json()
        assert [set(row) for row in rows] == [SUMMARY_KEYS, SUMMARY_KEYS]
        collecting, building = rows
        assert building["initial_prompt"] == long[:300] and building["stage_progress"] == 40
        assert building["current_stage"] == "coding" and building["status"] == "building"
        assert collecting["stage_progress"] is None and collecting["current_stage"] is None
        full = api.get(f"/api/jobs/{job['id']}/").json()
        assert full["initial_prompt"] == long and full["prd"] == "# PRD"

    def test_summary_keeps_app_id_and_offset_pages(self, api: APIClient) -> None:
        make_jobs(api, 3)
        body = api.get("/api/jobs/?view=summary&limit=2").json()
        assert body["count"] == 3 and len(body["results"]) == 2
        assert all(set(row) == SUMMARY_KEYS and row["app_id"] is None for row in body["results"])

    def test_full_view_is_unchanged(self, api: APIClient) -> None:
        create(api, "Plain")
        assert "stages" in api.get("/api/jobs/?view=full").json()[0]
        assert "stages" in api.get("/api/jobs/").json()[0]


@pytest.mark.django_db
class TestUpdatedAfter:
    def test_only_strictly_later_jobs(self, api: APIClient) -> None:
        ids = make_jobs(api, 4)
        pivot = api.get(f"/api/jobs/{ids[1]}/").json()["updated_at"]
        later = api.get("/api/jobs/", {"updated_after": pivot}).json()
        assert [job["id"] for job in later] == [ids[3], ids[2]]

    def test_offsets_and_naive_times(self, api: APIClient) -> None:
        ids = make_jobs(api, 2)
        job = Job.objects.get(pk=ids[0])
        stamp = job.updated_at.astimezone(timezone.get_fixed_timezone(60))  # +01:00
        as_space = stamp.isoformat().replace("+", " ")  # `+` sent unencoded arrives as a space
        naive_utc = job.updated_at.replace(tzinfo=None).isoformat()
        for value in (stamp.isoformat(), as_space, naive_utc):
            assert [j["id"] for j in api.get("/api/jobs/", {"updated_after": value}).json()] == [ids[1]]

    @pytest.mark.parametrize("value", ["yesterday", "2026-13-40T00:00:00Z", "2026-11-26T25:00:00",
                                       "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00"])
    def test_bad_dates_are_400_in_words(self, api: APIClient, value: str) -> None:
        """(An empty `updated_after=` means no filter, as DRF reads blank optional query values.)"""
        r = api.get("/api/jobs/", {"updated_after": value})
        assert r.status_code == 400
        message = r.json()["updated_after"][0]
        assert "datetime" in message.lower() or "date" in message.lower()


@pytest.mark.django_db
class TestCursorPagination:
    def test_walks_every_job_once_without_count(self, api: APIClient) -> None:
        ids = make_jobs(api, 7)
        url, seen = "/api/jobs/?pagination=cursor&view=summary&limit=3", []
        pages = 0
        while url:
            body = api.get(url).json()
            assert set(body) == {"next", "previous", "results"}
            seen += [row["id"] for row in body["results"]]
            url, pages = body["next"], pages + 1
            assert pages <= 3
        assert seen == ids[::-1] and pages == 3

    def test_previous_link_returns_the_page_before(self, api: APIClient) -> None:
        ids = make_jobs(api, 5)
        first = api.get("/api/jobs/?pagination=cursor&limit=2").json()
        assert first["previous"] is None
        second = api.get(first["next"]).json()
        back = api.get(second["previous"]).json()
        assert [j["id"] for j in back["results"]] == [ids[4], ids[3]] == [j["id"] for j in first["results"]]
        assert "stages" in back["results"][0]  # the full view unless asked

    def test_filters_and_ordering_carry_into_next_links(self, api: APIClient) -> None:
        ids = make_jobs(api, 5)
        pivot = Job.objects.get(pk=ids[0]).updated_at.isoformat()
        first = api.get("/api/jobs/", {"pagination": "cursor", "limit": 2, "ordering": "id",
                                       "updated_after": pivot}).json()
        assert [j["id"] for j in first["results"]] == ids[1:3]
        params = parse_qs(urlsplit(first["next"]).query)
        assert params["ordering"] == ["id"] and params["updated_after"] == [pivot]
        assert [j["id"] for j in api.get(first["next"]).json()["results"]] == ids[3:5]

    def test_no_count_query(self, api: APIClient) -> None:
        make_jobs(api, 3)
        with CaptureQueriesContext(connection) as queries:
            r = api.get("/api/jobs/?pagination=cursor&view=summary&limit=2")
        assert r.status_code == 200
        assert not [q for q in queries if "COUNT(" in q["sql"].upper()]

    @pytest.mark.parametrize("cursor", [
        "not-base64!", "été", base64.b64encode(b"p=yesterday").decode(), base64.b64encode(b"o=x").decode(),
        base64.b64encode("p=\u00e9".encode()).decode(), base64.b64encode(b"r=maybe").decode(),
    ])
    def test_bad_cursor_is_400(self, api: APIClient, cursor: str) -> None:
        make_jobs(api, 2)
        r = api.get("/api/jobs/", {"pagination": "cursor", "cursor": cursor})
        assert r.status_code == 400 and "Invalid cursor" in r.json()["cursor"][0]

    def test_cursor_from_another_ordering_is_400(self, api: APIClient) -> None:
        make_jobs(api, 3)
        by_time = api.get("/api/jobs/?pagination=cursor&limit=1").json()["next"]
        by_id = by_time.replace("pagination=cursor", "pagination=cursor&ordering=id")
        assert api.get(by_id).status_code == 400

    @pytest.mark.parametrize("query, field", [
        ("pagination=cursor&ordering=title", "ordering"), ("pagination=pages", "pagination"),
        ("view=tiny", "view"), ("ordering=owner__password", "ordering"), ("status=nope", "status"),
    ])
    def test_bad_parameters_are_400(self, api: APIClient, query: str, field: str) -> None:
        r = api.get(f"/api/jobs/?{query}")
        assert r.status_code == 400 and isinstance(r.json()[field][0], str)

    def test_other_users_jobs_never_appear(self, api: APIClient, other_api: APIClient) -> None:
        make_jobs(other_api, 3)
        assert api.get("/api/jobs/?pagination=cursor&view=summary").json() == {
            "next": None, "previous": None, "results": []}


def count_queries(queries: CaptureQueriesContext) -> int:
    return len([q for q in queries if "COUNT(" in q["sql"].upper()])


class TestCachedCount:
    """Unfiltered offset pages reuse the user's job count; every create or delete here forgets it."""

    def test_second_page_reuses_the_count(self, api: APIClient) -> None:
        make_jobs(api, 3)
        assert api.get("/api/jobs/?limit=2").json()["count"] == 3
        with CaptureQueriesContext(connection) as queries:
            page = api.get("/api/jobs/?limit=2&offset=2").json()
        assert page["count"] == 3 and len(page["results"]) == 1 and count_queries(queries) == 0

    def test_create_delete_and_purge_show_at_once(self, api: APIClient) -> None:
        ids = make_jobs(api, 2)
        assert api.get("/api/jobs/?limit=1").json()["count"] == 2
        create(api, "one more")
        assert api.get("/api/jobs/?limit=1").json()["count"] == 3
        assert api.delete(f"/api/jobs/{ids[0]}/").status_code == 204
        assert api.get("/api/jobs/?limit=1").json()["count"] == 2
        assert api.delete("/api/jobs/purge/").status_code == 200
        empty = {"count": 0, "next": None, "previous": None, "results": []}
        assert api.get("/api/jobs/?limit=1").json() == empty

    def test_filtered_lists_count_every_time(self, api: APIClient) -> None:
        make_jobs(api, 3)
        assert api.get("/api/jobs/?limit=1").json()["count"] == 3
        Job.objects.filter(title="Job 0").update(status=Job.Status.FAILED)  # no signal: counted afresh
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/jobs/?limit=1&status=failed").json()["count"] == 1
            assert api.get("/api/jobs/?limit=1&search=Job 2").json()["count"] == 1
        assert count_queries(queries) == 2

    def test_counts_are_per_user(self, api: APIClient, other_api: APIClient) -> None:
        make_jobs(api, 2)
        make_jobs(other_api, 1)
        assert api.get("/api/jobs/?limit=1").json()["count"] == 2
        assert other_api.get("/api/jobs/?limit=1").json()["count"] == 1

    def test_zero_seconds_counts_every_request(self, api: APIClient, settings: Any) -> None:
        settings.JOB_COUNT_CACHE_SECONDS = 0
        ids = make_jobs(api, 2)
        assert api.get("/api/jobs/?limit=1").json()["count"] == 2
        Job.objects.filter(pk=ids[0]).delete()  # as another process would: no view, no forget
        assert api.get("/api/jobs/?limit=1").json()["count"] == 1


def test_live_summary_cursor_pages_over_http(live_server: LiveServer, fresh_user: dict) -> None:
    """The same contract on the real server: next links stay on its origin and carry every parameter."""
    with httpx.Client(base_url=f"{live_server.url}/api",
                      headers={"Authorization": f"Bearer {fresh_user['access']}"}, timeout=10) as http:
        ids = [http.post("/jobs/", json={"initial_prompt": f"Live {i}"}).json()["id"] for i in range(5)]
        url: str | None = "/jobs/?view=summary&pagination=cursor&limit=2"
        seen: list[int] = []
        while url:
            body = http.get(url).json()
            assert "count" not in body and all(set(row) == SUMMARY_KEYS for row in body["results"])
            seen += [row["id"] for row in body["results"]]
            url = body["next"]
            assert url is None or url.startswith(f"{live_server.url}/api/jobs/?")
        assert seen == ids[::-1]
        newest = http.get(f"/jobs/{ids[-1]}/").json()["updated_at"]
        assert http.get("/jobs/", params={"updated_after": newest, "view": "summary"}).json() == []
        for params in ({"updated_after": "soon"}, {"pagination": "cursor", "cursor": "garbage"}):
            r = http.get("/jobs/", params=params)
            assert r.status_code == 400 and r.headers["content-type"] == "application/json"


class TestRenderer:
    """The jobs views' orjson renderer writes DRF's bytes, and hands what it cannot write to DRF."""

    @pytest.mark.parametrize("data", [
        {"count": 2, "next": None, "results": [{"title": "é \u2028 \u2029 \x1f \" \\ 😀", "n": -0.5}]},
        [{"a": None, "b": [1, 2.5, 1e16, 2**63 - 1]}], {},
        # a8/a9 bytes without a separator (é is c3 a9, © c2 a9, Ш d0 a8), and a separator alone
        {"t": "é © Ш"}, {"t": "\u2029"}, {"t": "\u2028 é"}, {"t": "plain ascii"},
    ])
    def test_same_bytes_as_drf(self, data: Any) -> None:
        assert FastJSONRenderer().render(data) == JSONRenderer().render(data)

    @pytest.mark.parametrize("data", [
        {"big": 2**70}, {"at": timezone.now()}, {"detail": gettext_lazy("Not found.")},
    ])
    def test_what_orjson_cannot_write_goes_to_drf(self, data: Any) -> None:
        assert FastJSONRenderer().render(data) == JSONRenderer().render(data)

    def test_indent_and_errors_as_before(self, api: APIClient) -> None:
        make_jobs(api, 1)
        pretty = api.get("/api/jobs/", HTTP_ACCEPT="application/json; indent=2")
        assert pretty.content.startswith(b"[\n  {")
        assert api.get("/api/jobs/?status=nope").json() == {"status": ["Unknown status: nope."]}
