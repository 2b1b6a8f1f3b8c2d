"""End to end: `python -m server` as a subprocess, real HTTP (httpx) and real websockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import websockets

from tests.support.live_server import LiveServer


def auth(server: LiveServer, name: str) -> tuple[httpx.Client, str]:
    token = server.register(name)["access"]
    return httpx.Client(
        base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ), token


@contextlib.asynccontextmanager
async def job_socket(server: LiveServer, job_id: int, token: str) -> AsyncIterator[Any]:
    """A socket authenticated by its first frame and joined to the job (its ping answered)."""
    async with websockets.connect(f"{server.ws_url}/ws/jobs/{job_id}/") as ws:
        await ws.send(json.dumps({"kind": "auth", "token": token}))
        await ws.send(json.dumps({"kind": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"kind": "pong"}
        yield ws


async def frames_until(ws: Any, done: Callable[[dict], bool], timeout: float = 15) -> list[dict]:
    frames: list[dict] = []
    async with asyncio.timeout(timeout):
        while not frames or not done(frames[-1]):
            frames.append(json.loads(await ws.recv()))
    return frames


def test_documented_job_from_prompt_to_app(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(speed=0.01)
    client, token = auth(server, "walker")
    job = client.post("/jobs/", json={"initial_prompt": "A recipe box for families"}).json()
    first = client.get("/job-messages/", params={"job_id": job["id"]}).json()
    assert [m["role"] for m in first] == ["agent"]

    async def talk() -> list[dict]:
        async with job_socket(server, job["id"], token) as ws:
            frames = []
            for answer in ("Parents", "Recipes and tags", "Phones"):
                await ws.send(json.dumps({"kind": "chat", "text": answer}))
                frames += await frames_until(ws, lambda f: f["kind"] == "chat" and f["role"] == "agent")
            frames += await frames_until(ws, lambda f: f["kind"] == "app")
            await ws.send(json.dumps({"kind": "chat", "text": "late"}))
            frames += await frames_until(ws, lambda f: f["kind"] == "error")
            return frames

    frames = asyncio.run(talk())
    persisted = [f for f in frames if f["id"] is not None]
    kinds = [f["kind"] if f["kind"] != "status" else f"status:{f['status']}" for f in persisted]
    assert kinds == (
        ["chat"] * 6
        + ["status:prd", "status:prd", "status:building"]
        + ["step"] * 20
        + ["status:done", "app"]
    )
    assert frames[-1] == {**frames[-1], "id": None, "code": "not_collecting"}
    ids = [f["id"] for f in persisted]
    assert ids == sorted(set(ids))
    rest = client.get("/job-messages/", params={"job_id": job["id"], "after": first[-1]["id"]}).json()
    assert [m["id"] for m in rest] == ids
    done = client.get(f"/jobs/{job['id']}/").json()
    assert done["status"] == "done" and done["app_id"] == persisted[-1]["app_id"]
    app = client.get(f"/apps/by-job/{job['id']}/").json()
    assert app["id"] == done["app_id"] and app["files"]
    assert token not in server.log()


def test_legacy_dialect_with_first_frame_auth(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(speed=0, dialect="legacy")
    client, token = auth(server, "legacy")
    job = client.post("/jobs/", json={"initial_prompt": "A habit tracker"}).json()

    async def talk() -> list[dict]:
        async with websockets.connect(f"{server.ws_url}/ws/jobs/{job['id']}/") as ws:
            await ws.send(json.dumps({"kind": "auth", "token": token}))
            await ws.send(json.dumps({"type": "chat", "message": "/go"}))
            return await frames_until(ws, lambda f: f["type"] == "jobStatus" and f.get("appId") is not None)

    frames = asyncio.run(talk())
    types = [f["type"] for f in frames]
    assert types[:5] == ["agentDialogue", "agentDialogue", "jobStatus", "prdReady", "jobStatus"]
    assert types.count("stageUpdate") == 20 and frames[-1]["appName"] and frames[-1]["previewUrl"]
    assert all("messageId" in f and f["jobId"] == job["id"] for f in frames)


def test_start_over_rest_broadcasts_and_close_codes(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(speed=0)
    client, token = auth(server, "starter")
    _, other_token = auth(server, "other")
    job = client.post("/jobs/", json={"initial_prompt": "A booking page"}).json()

    async def talk() -> tuple[list[dict], int, int, int]:
        async with job_socket(server, job["id"], token) as ws:
            await asyncio.to_thread(client.post, f"/jobs/{job['id']}/start/")
            frames = await frames_until(ws, lambda f: f["kind"] == "app")
            await asyncio.to_thread(client.delete, f"/jobs/{job['id']}/")
            await ws.wait_closed()
            deleted = ws.close_code
        codes = []
        for bearer in (other_token, "bad"):
            async with websockets.connect(f"{server.ws_url}/ws/jobs/{job['id']}/") as other:
                await other.send(json.dumps({"kind": "auth", "token": bearer}))
                await other.wait_closed()
                codes.append(other.close_code)
        return frames, deleted, *codes

    frames, deleted, foreign, bad = asyncio.run(talk())
    assert frames[0]["kind"] == "status" and frames[0]["status"] == "prd" and frames[-1]["kind"] == "app"
    assert (deleted, foreign, bad) == (4404, 4404, 4401)


def test_restart_mid_build_resumes(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(speed=0.1)
    client, _ = auth(server, "restarter")
    job_id = client.post("/jobs/", json={"initial_prompt": "A recipe box"}).json()["id"]
    assert client.post(f"/jobs/{job_id}/start/").status_code == 202
    deadline = time.monotonic() + 10
    while client.get(f"/jobs/{job_id}/").json()["status"] != "building" and time.monotonic() < deadline:
        time.sleep(0.05)
    server.restart()
    deadline = time.monotonic() + 20
    while (job := client.get(f"/jobs/{job_id}/").json())["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert job["status"] == "done" and job["app_id"]
    messages = client.get("/job-messages/", params={"job_id": job_id}).json()
    steps = [(m["data"]["stage"], m["data"]["progress"]) for m in messages if m["kind"] == "step"]
    assert len(steps) == 20 and len(set(steps)) == 20
    assert [m["kind"] for m in messages].count("app") == 1


def test_seeded_demo_server(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(speed=0, seed_demo=True)
    assert "demo login: demo / demo-password" in server.log()
    assert "appbuilder server listening on http://127.0.0.1:" in server.log()
    r = httpx.post(f"{server.url}/api/auth/login/", json={"username": "demo", "password": "demo-password"})
    headers = {"Authorization": f"Bearer {r.json()['access']}"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        statuses = sorted(j["status"] for j in httpx.get(f"{server.url}/api/jobs/", headers=headers).json())
        if statuses == ["collecting", "done", "done", "failed"]:
            break
        time.sleep(0.05)
    assert statuses == ["collecting", "done", "done", "failed"]
    assert r.json()["access"] not in server.log()


def test_cli_token_lifetimes(make_server: Callable[..., LiveServer]) -> None:
    # 2 s: `exp` is whole seconds, so a 1-second token may be valid for only a fraction of a second
    server = make_server(speed=0, access_lifetime=2, allow_purge=False)
    meta = httpx.get(f"{server.url}/api/meta/").json()
    assert meta["access_token_lifetime"] == 2 and meta["allow_job_purge"] is False
    tokens = server.register("shortlived")
    time.sleep(2.5)
    me = httpx.get(f"{server.url}/api/auth/me/", headers={"Authorization": f"Bearer {tokens['access']}"})
    assert me.status_code == 401 and me.json()["code"] == "token_not_valid"
    fresh = httpx.post(f"{server.url}/api/auth/token/refresh/", json={"refresh": tokens["refresh"]}).json()
    headers = {"Authorization": f"Bearer {fresh['access']}"}
    assert httpx.get(f"{server.url}/api/auth/me/", headers=headers).status_code == 200
    # a token minted just now: under load the one above may already be past its short lifetime
    again = httpx.post(f"{server.url}/api/auth/login/", json={"username": "shortlived",
                                                               "password": "pass-word-123"}).json()
    headers = {"Authorization": f"Bearer {again['access']}"}
    assert httpx.delete(f"{server.url}/api/jobs/purge/", headers=headers).status_code == 403


def test_sockets_are_not_compressed_as_under_daphne(live_server: LiveServer) -> None:
    """The client offers permessage-deflate (websockets does by default); the server declines it, as Daphne
    does. (The handshake comes before the socket's auth frame.)"""
    async def extensions() -> tuple[str | None, str | None]:
        async with websockets.connect(f"{live_server.ws_url}/ws/jobs/1/") as ws:
            offered = ws.request.headers.get("Sec-WebSocket-Extensions") if ws.request else None
            return offered, ws.response.headers.get("Sec-WebSocket-Extensions") if ws.response else None

    offered, accepted = asyncio.run(extensions())
    assert offered is not None and "permessage-deflate" in offered
    assert accepted is None
