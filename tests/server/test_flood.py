"""POST /api/jobs/<id>/flood/ (benchmarks only): off by default, owner-scoped, and every frame persisted."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from tests.support.live_server import LiveServer


def token(server: LiveServer, username: str) -> str:
    server.register(username)
    answer = httpx.post(f"{server.url}/api/auth/login/",
                        json={"username": username, "password": "pass-word-123"})
    return answer.json()["access"]


def job_for(server: LiveServer, access: str) -> int:
    answer = httpx.post(f"{server.url}/api/jobs/", json={"initial_prompt": "Flood me"},
                        headers={"Authorization": f"Bearer {access}"})
    return answer.json()["id"]


def flood(server: LiveServer, access: str, job_id: int, **body: Any) -> httpx.Response:
    return httpx.post(f"{server.url}/api/jobs/{job_id}/flood/", json=body,
                      headers={"Authorization": f"Bearer {access}"})


def test_off_by_default(live_server: LiveServer) -> None:
    access = token(live_server, "flood_off")
    answer = flood(live_server, access, job_for(live_server, access), rate=10, seconds=1)
    assert answer.status_code == 403 and "ALLOW_FLOOD" in answer.json()["detail"]


async def test_frames_arrive_in_order_and_are_persisted(tmp_path: Path) -> None:
    server = LiveServer(db_path=tmp_path / "db.sqlite3", allow_flood=True).start()
    try:
        access = token(server, "flooder")
        other = token(server, "bystander")
        job_id = job_for(server, access)
        assert flood(server, other, job_id, rate=10, seconds=1).status_code == 404
        assert flood(server, access, job_id, rate=0, seconds=1).status_code == 400
        assert flood(server, access, job_id, rate=10, seconds=600).status_code == 400
        ids: list[int] = []
        async with connect(f"{server.ws_url}/ws/jobs/{job_id}/") as ws:
            await ws.send(json.dumps({"kind": "auth", "token": access}))
            answer = flood(server, access, job_id, rate=500, seconds=1)
            assert answer.status_code == 202 and answer.json()["messages"] == 500
            while len(ids) < 500:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if frame.get("kind") == "chat" and frame["text"].startswith("flood "):
                    ids.append(frame["id"])
        assert ids == sorted(ids) and len(set(ids)) == 500
        listed = httpx.get(f"{server.url}/api/job-messages/", params={"job_id": job_id},
                           headers={"Authorization": f"Bearer {access}"}).json()
        persisted = [m["id"] for m in listed if m["content"].startswith("flood ")]
        assert persisted == ids
    finally:
        server.stop()


async def test_every_socket_on_the_job_gets_every_frame_in_order_and_its_own_answers(tmp_path: Path) -> None:
    """Frames fan out to each socket of the job (in-process layer: pushed to each socket's outbox); a ping
    sent during the flood is answered on that socket among the frames, none lost or reordered."""
    server = LiveServer(db_path=tmp_path / "db.sqlite3", allow_flood=True).start()
    try:
        access = token(server, "fanout")
        job_id = job_for(server, access)
        sockets = [await connect(f"{server.ws_url}/ws/jobs/{job_id}/") for _ in range(20)]
        for ws in sockets:
            await ws.send(json.dumps({"kind": "auth", "token": access}))
            await ws.send(json.dumps({"kind": "ping"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"kind": "pong"}
        answer = await asyncio.to_thread(flood, server, access, job_id, rate=200, seconds=1)
        assert answer.status_code == 202

        async def read(ws: Any, ping_after: int | None) -> tuple[list[int], bool]:
            ids: list[int] = []
            ponged = False
            while len(ids) < 200 or (ping_after is not None and not ponged):
                frame = json.loads(await asyncio.wait_for(ws.recv(), 20))
                if frame.get("kind") == "chat" and frame["text"].startswith("flood "):
                    ids.append(frame["id"])
                    if len(ids) == ping_after:
                        await ws.send(json.dumps({"kind": "ping"}))
                elif frame == {"kind": "pong"}:
                    ponged = True
            return ids, ponged

        results = await asyncio.gather(*(read(ws, 50 if n == 0 else None) for n, ws in enumerate(sockets)))
        for ws in sockets:
            await ws.close()
        listed = httpx.get(f"{server.url}/api/job-messages/", params={"job_id": job_id},
                           headers={"Authorization": f"Bearer {access}"}).json()
        persisted = [m["id"] for m in listed if m["content"].startswith("flood ")]
        assert len(persisted) == 200
        assert all(ids == persisted for ids, _ in results), "a socket missed or reordered frames"
        assert results[0][1], "the ping sent during the flood was not answered"
    finally:
        server.stop()
