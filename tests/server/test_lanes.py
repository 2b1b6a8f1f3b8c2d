"""HTTP lanes (server/lanes.py) and the REST user cache (server/authentication/jwt_auth.py)."""

from __future__ import annotations

import asyncio
import inspect
import socket
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from server.authentication import jwt_auth
from server.lanes import Lanes
from tests.server.conftest import client_for
from tests.support.live_server import LiveServer
from tests.support.waits import until


def test_the_django_internals_lanes_use_keep_their_shape() -> None:
    """`LaneASGIHandler` reaches inside Django's ASGI handler (Django is pinned to 5.2 in constraints.txt):
    an upgrade that moves or reshapes one of these fails here, by name, not as odd request behaviour."""
    import django
    from django.core.handlers import asgi
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.base import BaseHandler

    assert django.VERSION[:2] == (5, 2)
    shapes = {
        ASGIHandler.read_body: ["self", "receive"],
        ASGIHandler.send_response: ["self", "response", "send"],
        ASGIHandler.create_request: ["self", "scope", "body_file"],
        BaseHandler.load_middleware: ["self", "is_async"],
        BaseHandler.get_response: ["self", "request"],
        asgi.get_script_prefix: ["scope"],
    }
    for function, parameters in shapes.items():
        assert list(inspect.signature(function).parameters) == parameters, function.__qualname__


async def thread_of_lane(lanes: Lanes) -> int:
    async with lanes.lane():
        return await sync_to_async(threading.get_ident)()


async def block_a_lane(lanes: Lanes, release: threading.Event) -> asyncio.Task[int]:
    """A request holding a lane, its call waiting for `release` (at most 30 s); it returns its thread."""
    async def slow() -> int:
        async with lanes.lane():
            return await sync_to_async(lambda: release.wait(30) and threading.get_ident())()

    blocked = asyncio.create_task(slow())
    await until(lambda: any(lanes.in_flight), "the slow request to take a lane")
    return blocked


async def test_a_lane_keeps_its_thread() -> None:
    lanes = Lanes(2)
    try:
        first = await thread_of_lane(lanes)
        assert [await thread_of_lane(lanes) for _ in range(5)] == [first] * 5
        assert first != threading.get_ident()
    finally:
        lanes.shutdown()


async def test_a_slow_request_holds_up_only_its_own_lane() -> None:
    lanes, release = Lanes(2), threading.Event()
    try:
        blocked = await block_a_lane(lanes, release)
        other = await asyncio.wait_for(thread_of_lane(lanes), 10)  # would wait 30 s behind `slow`
        assert not blocked.done() and other != threading.get_ident()
        release.set()
        await blocked
        assert lanes.in_flight == [0, 0]
    finally:
        release.set()
        lanes.shutdown()


async def test_a_burst_of_short_requests_runs_back_to_back_on_one_lane() -> None:
    """While a lane's call is fresh (here: always), new requests wait for it instead of taking another lane:
    lanes running at once only contend for the GIL."""
    lanes = Lanes(4, spill_after=3600)
    try:
        threads = await asyncio.gather(*(thread_of_lane(lanes) for _ in range(20)))
        assert len(set(threads)) == 1
        assert lanes.in_flight == [0, 0, 0, 0] and not lanes.waiting
    finally:
        lanes.shutdown()


async def test_a_request_waiting_behind_a_slow_call_spills_to_an_idle_lane() -> None:
    """Queued behind a call that turns slow, requests move on: one slow request never holds up the rest."""
    lanes, release = Lanes(3, spill_after=0.01), threading.Event()
    try:
        blocked = await block_a_lane(lanes, release)
        others = await asyncio.wait_for(asyncio.gather(*(thread_of_lane(lanes) for _ in range(5))), 10)
        assert not blocked.done()
        release.set()
        assert await blocked not in others
        assert lanes.in_flight == [0, 0, 0] and not lanes.waiting
    finally:
        release.set()
        lanes.shutdown()


async def test_a_request_cancelled_while_waiting_for_a_lane_leaves_no_trace() -> None:
    lanes, release = Lanes(2, spill_after=3600), threading.Event()
    try:
        blocked = await block_a_lane(lanes, release)
        waiting = asyncio.create_task(thread_of_lane(lanes))
        await until(lambda: bool(lanes.waiting), "the second request to wait for a lane")
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert not lanes.waiting
        release.set()
        await blocked
        await thread_of_lane(lanes)
        assert lanes.in_flight == [0, 0]
    finally:
        release.set()
        lanes.shutdown()


async def test_a_call_that_raises_raises_in_the_request_and_frees_its_lane() -> None:
    lanes = Lanes(2)
    try:
        async def fails() -> None:
            async with lanes.lane():
                await sync_to_async(int)("not a number")

        with pytest.raises(ValueError, match="not a number"):
            await fails()
        first = await thread_of_lane(lanes)
        assert await thread_of_lane(lanes) == first
        assert lanes.in_flight == [0, 0]
    finally:
        lanes.shutdown()


def test_live_server_reuses_its_request_threads(live_server: LiveServer, fresh_user: dict) -> None:
    """Many requests, a bounded set of threads (Django alone started one per request) and connections."""
    pid = live_server.proc.pid if live_server.proc else 0
    headers = {"Authorization": f"Bearer {fresh_user['access']}"}
    with httpx.Client(base_url=f"{live_server.url}/api", headers=headers, timeout=10) as http:
        for _ in range(60):
            assert http.get("/jobs/", params={"limit": 5}).status_code == 200
        threads = len(list(Path(f"/proc/{pid}/task").iterdir()))
        for _ in range(60):
            assert http.get("/jobs/", params={"limit": 5}).status_code == 200
        assert len(list(Path(f"/proc/{pid}/task").iterdir())) <= threads


def test_live_lists_answer_while_a_write_waits_on_another_process_lock(
    make_server: Callable[..., LiveServer],
) -> None:
    """A write waiting (up to DB_TIMEOUT) for SQLite's lock, held by another process, holds its own lane:
    list requests sent after it on other connections are answered meanwhile, and it then succeeds."""
    server = make_server(extra_env={"DB_TIMEOUT": "60"})
    access = server.register("lanes_locked")["access"]
    body = b'{"initial_prompt": "Written once the lock is free"}'
    post = (f"POST /api/jobs/ HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAuthorization: Bearer {access}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    other = sqlite3.connect(server.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process takes the write lock and keeps it
    writer = socket.create_connection(("127.0.0.1", server.port), timeout=90)
    try:
        writer.sendall(post)
        with httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {access}"},
                          timeout=30) as http:
            for _ in range(5):  # would wait 60 s behind the write on one lane
                assert http.get("/jobs/", params={"limit": 5}).json()["count"] == 0
        writer.setblocking(False)
        with pytest.raises(BlockingIOError):
            writer.recv(1)  # the write is still waiting for the lock
        other.execute("ROLLBACK")
        writer.setblocking(True)
        assert writer.recv(12) == b"HTTP/1.1 201"
    finally:
        other.close()
        writer.close()


@pytest.mark.django_db
class TestUserCache:
    @pytest.fixture(autouse=True)
    def _cache_on(self, settings: Any) -> None:
        settings.USER_CACHE_SECONDS = 60
        jwt_auth.users.clear()

    def test_deleted_user_is_refused_at_once(self, make_user: Any) -> None:
        user = make_user()
        api = client_for(user)
        assert api.get("/api/auth/me/").status_code == 200
        user.delete()
        answer = api.get("/api/auth/me/")
        assert answer.status_code == 401 and answer.json()["code"] == "user_not_found"

    def test_deactivated_user_is_refused_at_once(self, make_user: Any) -> None:
        user = make_user()
        api = client_for(user)
        assert api.get("/api/jobs/").status_code == 200
        user.is_active = False
        user.save()
        assert api.get("/api/jobs/").json()["code"] == "user_inactive"

    def test_a_change_without_signal_is_seen_after_the_cache_time(
        self, make_user: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """(Another process's change: no signal here.) Refused once the row is older than the cache time."""
        user = make_user()
        api = client_for(user)
        assert api.get("/api/jobs/").status_code == 200
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
        assert api.get("/api/jobs/").status_code == 200  # within USER_CACHE_SECONDS
        now = jwt_auth.time.monotonic()
        monkeypatch.setattr(jwt_auth.time, "monotonic", lambda: now + 61)
        assert api.get("/api/jobs/").status_code == 401

    def test_cache_off_reads_every_time(self, make_user: Any, settings: Any) -> None:
        settings.USER_CACHE_SECONDS = 0
        user = make_user()
        api = client_for(user)
        assert api.get("/api/jobs/").status_code == 200
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
        assert api.get("/api/jobs/").status_code == 401

    def test_cached_rows_are_copies(self, make_user: Any) -> None:
        user = make_user(email="a@example.com")
        jwt_auth.users.put(user.pk, user)
        mine = jwt_auth.users.get(user.pk, 60)
        mine.email = "changed@example.com"
        assert jwt_auth.users.get(user.pk, 60).email == "a@example.com"

    def test_anonymous_and_bad_tokens_still_401(self, anon: APIClient) -> None:
        assert anon.get("/api/jobs/").status_code == 401
        anon.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
        assert anon.get("/api/jobs/").status_code == 401
