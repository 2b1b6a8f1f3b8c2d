"""Jobs REST: create/list/filter/paginate, PATCH rules, start, delete, purge, owner scoping, validation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from server.jobs.models import Job, JobMessage
from server.jobs.pipeline import run_to_end_sync

pytestmark = pytest.mark.django_db
JOB_KEYS = {
    "id",
    "title",
    "initial_prompt",
    "status",
    "current_stage",
    "stages",
    "prd",
    "app_id",
    "created_at",
    "updated_at",
}


def create(client: APIClient, prompt: str = "A todo app for families\nwith shared lists") -> Any:
    return client.post("/api/jobs/", {"initial_prompt": prompt})


def test_create_job_posts_first_question(api: APIClient) -> None:
    r = create(api)
    assert r.status_code == 201
    job = r.json()
    assert set(job) == JOB_KEYS
    assert job["status"] == "collecting" and job["title"] == "A todo app for families"
    assert [s["name"] for s in job["stages"]] == ["planning", "architecture", "coding", "testing", "deploy"]
    assert all(s == {"name": s["name"], "status": "pending", "progress": 0} for s in job["stages"])
    assert job["prd"] is None and job["app_id"] is None and job["created_at"].endswith("Z")
    messages = list(JobMessage.objects.filter(job_id=job["id"]))
    assert [(m.kind, m.role) for m in messages] == [("chat", "agent")]
    assert messages[0].content.endswith("?")


def test_title_is_at_most_60_chars(api: APIClient) -> None:
    job = create(api, "x" * 100).json()
    assert len(job["title"]) <= 60 and job["title"].startswith("xxxx")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"initial_prompt": ""}, "initial_prompt"),
        ({"initial_prompt": "   \n "}, "initial_prompt"),
        ({"initial_prompt": "x" * 20001}, "initial_prompt"),
        ({"initial_prompt": "bad \x00 char"}, "initial_prompt"),
        ({"initial_prompt": 42}, "initial_prompt"),
        ({"initial_prompt": ["a"]}, "initial_prompt"),
        ({"initial_prompt": None}, "initial_prompt"),
        ({}, "initial_prompt"),
        ({"initial_prompt": "ok", "status": "done"}, "status"),
    ],
)
def test_create_rejects_bad_input_and_stores_nothing(api: APIClient, body: dict, field: str) -> None:
    r = api.post("/api/jobs/", body)
    assert r.status_code == 400
    assert field in r.json() and isinstance(r.json()[field], list)
    assert not Job.objects.exists() and not JobMessage.objects.exists()


def test_unknown_field_message(api: APIClient) -> None:
    r = api.post("/api/jobs/", {"initial_prompt": "ok", "colour": "red"})
    assert r.json() == {"colour": ["Unknown field."]}


def test_non_object_body_is_400(api: APIClient) -> None:
    assert api.post("/api/jobs/", ["x"]).status_code == 400
    assert api.post("/api/jobs/", "not json", content_type="application/json").status_code == 400


def test_prompt_at_the_limit_is_accepted(api: APIClient) -> None:
    assert create(api, "y" * 20000).status_code == 201


def test_list_is_owner_scoped_and_filtered(api: APIClient, other_api: APIClient) -> None:
    ids = [create(api, p).json()["id"] for p in ("Recipe box", "Habit tracker", "Recipe planner")]
    create(other_api, "Recipe of bob")
    r = api.get("/api/jobs/")
    assert r.status_code == 200 and [j["id"] for j in r.json()] == ids[::-1]
    assert [j["id"] for j in api.get("/api/jobs/?search=recipe").json()] == [ids[2], ids[0]]
    assert [j["id"] for j in api.get("/api/jobs/?ordering=id").json()] == ids
    api.post(f"/api/jobs/{ids[1]}/start/")
    assert [j["id"] for j in api.get("/api/jobs/?status=collecting").json()] == [ids[2], ids[0]]
    assert api.get("/api/jobs/?status=nope").status_code == 400
    assert api.get("/api/jobs/?ordering=owner__password").status_code == 400


def test_limit_switches_to_pagination(api: APIClient) -> None:
    for i in range(5):
        create(api, f"Job {i}")
    r = api.get("/api/jobs/?limit=2&offset=2&ordering=id")
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5 and [j["title"] for j in body["results"]] == ["Job 2", "Job 3"]
    assert body["next"] and body["previous"]


def test_list_has_no_n_plus_one(api: APIClient, alice: Any) -> None:
    jobs = [Job(owner=alice, title=f"J{i}", initial_prompt=f"J{i}") for i in range(300)]
    Job.objects.bulk_create(jobs)
    job = create(api, "with an app").json()
    Job.objects.filter(pk=job["id"]).update(status="building")
    run_to_end_sync(job["id"])
    with CaptureQueriesContext(connection) as queries:
        r = api.get("/api/jobs/")
    assert len(r.json()) == 301 and r.json()[0]["app_id"] is not None
    assert len(queries) <= 3


def test_retrieve_patch_delete_cross_user_is_404(api: APIClient, other_api: APIClient) -> None:
    job_id = create(api).json()["id"]
    assert other_api.get(f"/api/jobs/{job_id}/").status_code == 404
    assert other_api.patch(f"/api/jobs/{job_id}/", {"initial_prompt": "mine"}).status_code == 404
    assert other_api.delete(f"/api/jobs/{job_id}/").status_code == 404
    assert other_api.post(f"/api/jobs/{job_id}/start/").status_code == 404
    r = api.get(f"/api/jobs/{job_id}/")
    assert r.status_code == 200 and r.json()["status"] == "collecting"


@pytest.mark.parametrize("job_id", ["999999", "99999999999999999999999", "-1", "abc", "0"])
def test_odd_ids_are_404(api: APIClient, job_id: str) -> None:
    r = api.get(f"/api/jobs/{job_id}/")
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}


def test_requires_auth(anon: APIClient) -> None:
    for method, path in [
        ("get", "/api/jobs/"),
        ("post", "/api/jobs/"),
        ("get", "/api/jobs/1/"),
        ("delete", "/api/jobs/purge/"),
        ("post", "/api/jobs/1/start/"),
    ]:
        assert getattr(anon, method)(path).status_code == 401, path


def test_patch_prompt_while_collecting(api: APIClient) -> None:
    job_id = create(api).json()["id"]
    r = api.patch(f"/api/jobs/{job_id}/", {"initial_prompt": "Better prompt\nmore"})
    assert r.status_code == 200
    assert r.json()["initial_prompt"] == "Better prompt\nmore" and r.json()["title"] == "Better prompt"
    assert api.patch(f"/api/jobs/{job_id}/", {"title": "x"}).json() == {"title": ["Unknown field."]}
    assert api.patch(f"/api/jobs/{job_id}/", {"initial_prompt": ""}).status_code == 400
    assert api.put(f"/api/jobs/{job_id}/", {"initial_prompt": "x"}).status_code == 405


def test_patch_after_collecting_is_409(api: APIClient) -> None:
    job_id = create(api).json()["id"]
    Job.objects.filter(pk=job_id).update(status="building")
    r = api.patch(f"/api/jobs/{job_id}/", {"initial_prompt": "late"})
    assert r.status_code == 409
    assert r.json() == {
        "detail": "The prompt can only be edited while the job is collecting requirements "
        "(status is 'building')."
    }
    assert Job.objects.get(pk=job_id).initial_prompt != "late"


def test_start_ends_collecting_once(api: APIClient) -> None:
    job_id = create(api).json()["id"]
    r = api.post(f"/api/jobs/{job_id}/start/")
    assert r.status_code == 202 and r.json()["status"] == "prd"
    kinds = list(JobMessage.objects.filter(job_id=job_id).values_list("kind", "data"))
    assert kinds[-1] == ("status", {"status": "prd"})
    assert api.post(f"/api/jobs/{job_id}/start/").status_code == 409


def test_delete_removes_job_messages_and_app(api: APIClient) -> None:
    job_id = create(api).json()["id"]
    api.post(f"/api/jobs/{job_id}/start/")
    run_to_end_sync(job_id)
    assert api.delete(f"/api/jobs/{job_id}/").status_code == 204
    assert api.get(f"/api/jobs/{job_id}/").status_code == 404
    assert not JobMessage.objects.filter(job_id=job_id).exists()
    assert api.get("/api/apps/").json() == []


def test_purge_only_deletes_callers_jobs(api: APIClient, other_api: APIClient) -> None:
    for _ in range(3):
        create(api)
    create(other_api)
    r = api.delete("/api/jobs/purge/")
    assert r.status_code == 200 and r.json() == {"deleted": 3}
    assert api.get("/api/jobs/").json() == [] and len(other_api.get("/api/jobs/").json()) == 1


def test_purge_disabled_is_403(api: APIClient, settings: Any) -> None:
    settings.ALLOW_JOB_PURGE = False
    create(api)
    r = api.delete("/api/jobs/purge/")
    assert r.status_code == 403
    assert r.json() == {"detail": "Job purge is disabled on this server (ALLOW_JOB_PURGE is off)."}
    assert Job.objects.count() == 1
