"""Job messages (list/after/create/delete) and apps (list/detail/by-job), with owner scoping."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from server.jobs.models import JobMessage
from server.jobs.pipeline import run_to_end_sync

pytestmark = pytest.mark.django_db
MESSAGE_KEYS = {"id", "job", "kind", "role", "content", "data", "created_at"}


def new_job(client: APIClient, prompt: str = "A recipe box for families") -> int:
    return client.post("/api/jobs/", {"initial_prompt": prompt}).json()["id"]


def built_job(client: APIClient) -> int:
    job_id = new_job(client)
    assert client.post(f"/api/jobs/{job_id}/start/").status_code == 202
    run_to_end_sync(job_id)
    return job_id


def test_list_messages_and_after(api: APIClient) -> None:
    job_id = new_job(api)
    for text in ("Parents", "Recipes"):
        api.post("/api/job-messages/", {"job": job_id, "content": text})
    messages = api.get(f"/api/job-messages/?job_id={job_id}").json()
    assert all(set(m) == MESSAGE_KEYS for m in messages)
    assert [(m["role"], m["kind"]) for m in messages] == [("agent", "chat"), ("user", "chat")] * 2 + [
        ("agent", "chat")
    ]
    ids = [m["id"] for m in messages]
    assert ids == sorted(ids)
    after = api.get(f"/api/job-messages/?job_id={job_id}&after={ids[1]}").json()
    assert [m["id"] for m in after] == ids[2:]


def test_list_messages_requires_valid_job_id(api: APIClient, other_api: APIClient) -> None:
    job_id = new_job(api)
    assert "job_id" in api.get("/api/job-messages/").json()
    assert api.get("/api/job-messages/?job_id=abc").status_code == 400
    assert api.get(f"/api/job-messages/?job_id={job_id}&after=x").status_code == 400
    assert api.get("/api/job-messages/?job_id=99999999999999999999999").status_code == 400
    assert other_api.get(f"/api/job-messages/?job_id={job_id}").status_code == 404


def test_third_answer_starts_the_build(api: APIClient) -> None:
    job_id = new_job(api)
    for text in ("Cooks", "Ingredients", "Phones"):
        r = api.post("/api/job-messages/", {"job": job_id, "content": text})
        assert r.status_code == 201 and r.json()["content"] == text and r.json()["role"] == "user"
    assert api.get(f"/api/jobs/{job_id}/").json()["status"] == "prd"
    kinds = [m["kind"] for m in api.get(f"/api/job-messages/?job_id={job_id}").json()]
    assert kinds == ["chat"] * 7 + ["status"]


def test_create_message_validation(api: APIClient, other_api: APIClient) -> None:
    job_id = new_job(api)
    assert api.post("/api/job-messages/", {"job": job_id, "content": ""}).status_code == 400
    assert api.post("/api/job-messages/", {"job": job_id, "content": 5}).status_code == 400
    assert api.post("/api/job-messages/", {"job": job_id, "content": "x", "role": "boss"}).status_code == 400
    assert api.post("/api/job-messages/", {"job": "abc", "content": "x"}).status_code == 400
    r = api.post("/api/job-messages/", {"job": job_id, "content": "x", "data": {}})
    assert r.json() == {"data": ["Unknown field."]}
    assert other_api.post("/api/job-messages/", {"job": job_id, "content": "x"}).status_code == 404
    assert JobMessage.objects.filter(job_id=job_id).count() == 1


def test_system_message_outside_collecting(api: APIClient) -> None:
    job_id = built_job(api)
    r = api.post("/api/job-messages/", {"job": job_id, "content": "note", "role": "system", "kind": "status"})
    assert r.status_code == 201 and r.json()["data"] == {"status": "done"}


def test_retrieve_and_delete_message_cross_user(api: APIClient, other_api: APIClient) -> None:
    job_id = new_job(api)
    message_id = api.get(f"/api/job-messages/?job_id={job_id}").json()[0]["id"]
    assert other_api.get(f"/api/job-messages/{message_id}/").status_code == 404
    assert other_api.delete(f"/api/job-messages/{message_id}/").status_code == 404
    assert api.get(f"/api/job-messages/{message_id}/").json()["job"] == job_id
    assert api.get("/api/job-messages/99999999999999999999/").status_code == 404
    assert api.delete(f"/api/job-messages/{message_id}/").status_code == 204
    assert api.get(f"/api/job-messages/{message_id}/").status_code == 404


def test_messages_require_auth(anon: APIClient) -> None:
    assert anon.get("/api/job-messages/?job_id=1").status_code == 401
    assert anon.post("/api/job-messages/", {"job": 1, "content": "x"}).status_code == 401
    assert anon.get("/api/apps/").status_code == 401
    assert anon.get("/api/apps/by-job/1/").status_code == 401


def test_app_after_build(api: APIClient) -> None:
    job_id = built_job(api)
    job = api.get(f"/api/jobs/{job_id}/").json()
    assert job["status"] == "done" and job["current_stage"] is None and job["prd"].startswith("# ")
    assert all(s["status"] == "done" and s["progress"] == 100 for s in job["stages"])
    apps = api.get("/api/apps/").json()
    assert len(apps) == 1 and apps[0]["id"] == job["app_id"]
    assert set(apps[0]) == {"id", "job", "name", "description", "preview_url", "file_count", "created_at"}
    app = api.get(f"/api/apps/{job['app_id']}/").json()
    paths = {f["path"] for f in app["files"]}
    assert {"README.md", "app/main.py", "app/models.py", "tests/test_app.py"} <= paths
    assert app["file_count"] == len(app["files"])
    component_ids = {c["id"] for c in app["architecture"]["components"]}
    assert all(
        link["source"] in component_ids and link["target"] in component_ids
        for link in app["architecture"]["links"]
    )
    assert api.get(f"/api/apps/by-job/{job_id}/").json() == app
    compile(next(f["content"] for f in app["files"] if f["path"] == "app/main.py"), "main.py", "exec")


def test_apps_owner_scoped_and_by_job_404(api: APIClient, other_api: APIClient) -> None:
    job_id = built_job(api)
    app_id = api.get(f"/api/jobs/{job_id}/").json()["app_id"]
    assert other_api.get("/api/apps/").json() == []
    assert other_api.get(f"/api/apps/{app_id}/").status_code == 404
    assert other_api.get(f"/api/apps/by-job/{job_id}/").status_code == 404
    pending = new_job(api)
    assert api.get(f"/api/apps/by-job/{pending}/").status_code == 404
    assert api.get("/api/apps/by-job/-5/").status_code == 404
    assert api.get("/api/apps/99999999999999999999999/").status_code == 404


def test_apps_newest_first(api: APIClient) -> None:
    first, second = built_job(api), built_job(api)
    assert [a["job"] for a in api.get("/api/apps/").json()] == [second, first]


def test_unknown_api_path_is_json_404(anon: Any) -> None:
    r = anon.get("/api/nope/")
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}
