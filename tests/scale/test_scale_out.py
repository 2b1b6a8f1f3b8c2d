"""Several server processes sharing a real Postgres and a real Redis (tests/scale/conftest.py).

A socket on one process sees every frame of a build another process runs; a process killed mid-build has
its job finished by another, no step repeated or lost; 200 sockets over two processes all get every frame.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets

from server.jobs.models import Job
from server.jobs.pipeline import plan
from tests.scale.conftest import LEASE_SECONDS
from tests.support.asgi_server import AsgiServer
from tests.support.services import Postgres

PROMPT = "A shared shopping list for a family, synced between phones."
_names = itertools.count(1)


class Client:
    """One user's REST session against one process (any process serves any user)."""

    def __init__(self, server: AsgiServer, token: str) -> None:
        self.token = token
        self.http = httpx.AsyncClient(base_url=f"{server.url}/api", timeout=15,
                                      headers={"Authorization": f"Bearer {token}"})

    @classmethod
    def register(cls, server: AsgiServer) -> Client:
        return cls(server, server.register(f"scaler{next(_names)}_{time.time_ns()}")["access"])

    def on(self, server: AsgiServer) -> Client:
        return Client(server, self.token)

    async def create_job(self) -> int:
        r = await self.http.post("/jobs/", json={"initial_prompt": PROMPT})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def start(self, job_id: int) -> None:
        r = await self.http.post(f"/jobs/{job_id}/start/")
        assert r.status_code == 202, r.text

    async def messages(self, job_id: int) -> list[dict]:
        r = await self.http.get("/job-messages/", params={"job_id": job_id})
        assert r.status_code == 200, r.text
        return r.json()


async def open_socket(server: AsgiServer, job_id: int, token: str) -> Any:
    """A socket on the job, authenticated by its first frame; the pong proves it has joined the job's group
    (a consumer handles its frames in order)."""
    ws = await websockets.connect(f"{server.ws_url}/ws/jobs/{job_id}/", proxy=None, open_timeout=30)
    await ws.send(json.dumps({"kind": "auth", "token": token}))
    await ws.send(json.dumps({"kind": "ping"}))
    async with asyncio.timeout(30):
        while json.loads(await ws.recv()).get("kind") != "pong":
            pass
    return ws


async def frames_until_app(ws: Any, frames: list[dict] | None = None, timeout: float = 60) -> list[dict]:
    """Every frame up to and including the `app` frame that ends a build."""
    frames = [] if frames is None else frames
    async with asyncio.timeout(timeout):
        while not frames or frames[-1]["kind"] != "app":
            frames.append(json.loads(await ws.recv()))
    return frames


def expected_build() -> list[tuple[str, str]]:
    """(kind, text) of every message a build persists, in order: the plan, then the app."""
    steps = [("status" if s.kind == "prd" else s.kind, "PRD ready" if s.kind == "prd" else s.content)
             for s in plan(Job(initial_prompt=PROMPT))]
    return [*steps, ("app", "")]


def as_frames(messages: list[dict]) -> list[tuple[str, str]]:
    """Messages as (frame kind, frame text) pairs (a `prd` message is a `status` frame; app text varies)."""
    return [("status" if m["kind"] == "prd" else m["kind"], "" if m["kind"] == "app" else m["content"])
            for m in messages]


def lease_owner(postgres: Postgres, job_id: int) -> str:
    return postgres.sql("SELECT lease_owner FROM jobs_job WHERE id = %s", job_id)[0][0] or ""


@pytest.mark.parametrize("program", ["uvicorn", "daphne"])
async def test_socket_on_one_process_sees_every_frame_of_a_build_another_runs(
    make_asgi: Callable[..., list[AsgiServer]], postgres: Postgres, program: str
) -> None:
    one, two = make_asgi("uvicorn", program)
    alice = Client.register(one)
    job_id = await alice.create_job()
    before = (await alice.messages(job_id))[-1]["id"]
    ws = await open_socket(one, job_id, alice.token)

    await alice.on(two).start(job_id)
    assert two.runner_mark in lease_owner(postgres, job_id), "the process that started the build runs it"
    frames = await frames_until_app(ws)
    await ws.close()

    messages = [m for m in await alice.messages(job_id) if m["id"] > before]
    assert [f["id"] for f in frames] == [m["id"] for m in messages], "a frame lost, repeated or reordered"
    assert as_frames(messages) == expected_build()
    assert two.runner_mark in lease_owner(postgres, job_id), "only the process that started it ran it"


async def test_killed_process_build_is_finished_by_the_other_with_no_step_repeated_or_lost(
    make_asgi: Callable[..., list[AsgiServer]], postgres: Postgres
) -> None:
    one, two = make_asgi("uvicorn", "uvicorn")
    alice = Client.register(one)
    job_id = await alice.create_job()
    before = (await alice.messages(job_id))[-1]["id"]
    ws = await open_socket(one, job_id, alice.token)
    await alice.on(two).start(job_id)

    frames: list[dict] = []
    async with asyncio.timeout(30):
        while sum(f["kind"] == "step" for f in frames) < 4:
            frames.append(json.loads(await ws.recv()))
    assert two.runner_mark in lease_owner(postgres, job_id)
    await asyncio.to_thread(two.kill)  # SIGKILL mid-build: no clean shutdown, its lease must expire
    killed_at, seen = time.monotonic(), len(frames)
    await frames_until_app(ws, frames)
    resumed_after = time.monotonic() - killed_at
    await ws.close()

    messages = [m for m in await alice.messages(job_id) if m["id"] > before]
    assert as_frames(messages) == expected_build(), "a step was repeated or lost across the take-over"
    assert one.runner_mark in lease_owner(postgres, job_id), "process 1 finished the build"
    ids = [f["id"] for f in frames]
    assert ids == sorted(set(ids)), "frames repeated or out of order"
    assert set(ids) <= {m["id"] for m in messages}
    # A step process 2 committed just before it died may miss its broadcast (commit, then publish); every
    # frame from process 1's take-over on arrives.
    missing = [m["id"] for m in messages if m["id"] not in set(ids)]
    assert len(missing) <= 1 and all(i < ids[seen] for i in missing), (missing, ids)
    assert resumed_after < LEASE_SECONDS * 3 + 10, f"take-over took {resumed_after:.1f}s"


async def test_200_sockets_over_two_processes_all_get_every_frame(
    make_asgi: Callable[..., list[AsgiServer]]
) -> None:
    one, two = make_asgi("uvicorn", "uvicorn")
    alice = Client.register(one)
    job_id = await alice.create_job()
    before = (await alice.messages(job_id))[-1]["id"]
    gate = asyncio.Semaphore(50)

    async def opened(n: int) -> Any:
        async with gate:
            return await open_socket((one, two)[n % 2], job_id, alice.token)

    sockets = await asyncio.gather(*(opened(n) for n in range(200)))
    await alice.on(two).start(job_id)
    received = await asyncio.gather(*(frames_until_app(ws) for ws in sockets))
    await asyncio.gather(*(ws.close() for ws in sockets))

    expected = [m["id"] for m in await alice.messages(job_id) if m["id"] > before]
    assert len(expected) == len(expected_build())
    wrong = [n for n, frames in enumerate(received) if [f["id"] for f in frames] != expected]
    assert not wrong, f"{len(wrong)} of 200 sockets missed, repeated or reordered frames (e.g. #{wrong[0]})"
    for server in (one, two):
        assert alice.token not in server.log(), "a token was logged"


async def test_uvicorn_workers_behind_one_port_deliver_every_frame_once(
    make_asgi: Callable[..., list[AsgiServer]]
) -> None:
    """The issue's symptom: under `uvicorn --workers 2` sockets missed frames another worker published."""
    (server,) = make_asgi("uvicorn", workers=2)
    alice = Client.register(server)
    job_id = await alice.create_job()
    before = (await alice.messages(job_id))[-1]["id"]
    sockets = [await open_socket(server, job_id, alice.token) for _ in range(12)]
    await alice.start(job_id)
    received = await asyncio.gather(*(frames_until_app(ws) for ws in sockets))
    await asyncio.gather(*(ws.close() for ws in sockets))

    messages = [m for m in await alice.messages(job_id) if m["id"] > before]
    assert as_frames(messages) == expected_build()
    assert all([f["id"] for f in frames] == [m["id"] for m in messages] for frames in received)
