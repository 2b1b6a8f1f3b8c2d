"""Sockets over real websockets: they live no longer than their access token or their login session, odd
frames get an error frame on an open socket, and a reader too slow for the flood is closed (1013, so the
client re-syncs from REST) instead of silently losing frames."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.live_server import LiveServer


def login(server: LiveServer, username: str) -> dict:
    answer = httpx.post(f"{server.url}/api/auth/login/",
                        json={"username": username, "password": "pass-word-123"})
    return answer.json()


def new_job(server: LiveServer, access: str) -> int:
    answer = httpx.post(f"{server.url}/api/jobs/", json={"initial_prompt": "A garden planner"},
                        headers={"Authorization": f"Bearer {access}"})
    return answer.json()["id"]


async def joined(server: LiveServer, path: str, access: str, **options: Any) -> Any:
    """A socket authenticated by its first frame, its ping answered (so it has joined the job)."""
    ws = await connect(f"{server.ws_url}{path}", **options)
    await ws.send(json.dumps({"kind": "auth", "token": access}))
    await ws.send(json.dumps({"kind": "ping"}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"kind": "pong"}
    return ws


async def close_code(ws: Any, timeout: float = 15) -> int | None:
    """Read (and drop) frames until the server closes the socket; its close code."""
    try:
        async with asyncio.timeout(timeout):
            async for _ in ws:
                pass
    except ConnectionClosed:
        pass
    except TimeoutError:
        raise AssertionError(f"the socket was still open after {timeout}s") from None
    return ws.close_code


async def still_open(ws: Any) -> bool:
    try:
        await ws.send(json.dumps({"kind": "ping"}))
        async with asyncio.timeout(10):
            while json.loads(await ws.recv()) != {"kind": "pong"}:
                pass
        return True
    except ConnectionClosed:
        return False


async def test_socket_closed_when_its_access_token_expires(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(access_lifetime=2)
    tokens = server.register("expiring")
    ws = await joined(server, f"/ws/jobs/{new_job(server, tokens['access'])}/", tokens["access"])
    assert await close_code(ws) == 4401


async def test_logout_closes_that_sessions_sockets_only(live_server: LiveServer) -> None:
    first = live_server.register("twosessions")
    second = login(live_server, "twosessions")
    path = f"/ws/jobs/{new_job(live_server, first['access'])}/"
    mine = await joined(live_server, path, first["access"])
    other = await joined(live_server, path, second["access"])
    answer = httpx.post(f"{live_server.url}/api/auth/logout/", json={"refresh": first["refresh"]},
                        headers={"Authorization": f"Bearer {first['access']}"})
    assert answer.status_code == 205
    assert await close_code(mine) == 4401
    assert await still_open(other)
    again = await connect(f"{live_server.ws_url}{path}")  # the logged-out session's access token is dead
    await again.send(json.dumps({"kind": "auth", "token": first["access"]}))
    assert await close_code(again) == 4401
    await other.close()


@pytest.mark.parametrize("raw, reason", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"kind": "chat", "text": "x", "extra": ' + "[" * 36 + "]" * 36 + "}", None),
    ('{"kind": "chat", "text": "half \\ud800 a pair"}', "surrogate"),
])
async def test_odd_frames_get_an_error_frame_and_the_socket_stays(live_server: LiveServer, raw: str,
                                                                   reason: str | None) -> None:
    tokens = live_server.register(f"oddframes{len(raw)}")
    ws = await joined(live_server, f"/ws/jobs/{new_job(live_server, tokens['access'])}/", tokens["access"],
                      max_size=2**20)
    await ws.send(raw)
    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
    if reason is None:  # 36 deep is within the limit: an ordinary chat
        assert frame["kind"] == "chat" and frame["role"] == "user"
    else:
        assert frame["kind"] == "error" and frame["code"] == "bad_frame" and reason in frame["text"]
    assert await still_open(ws)
    await ws.close()


@pytest.mark.parametrize("job", ["%C2%B2", "%D9%A3", "99999999999999999999999"])
async def test_unicode_digits_in_the_socket_path_are_not_ids(live_server: LiveServer, job: str) -> None:
    tokens = live_server.register(f"digits{job.replace('%', '')}")
    new_job(live_server, tokens["access"])
    ws = await connect(f"{live_server.ws_url}/ws/jobs/{job}/")
    await ws.send(json.dumps({"kind": "auth", "token": tokens["access"]}))
    assert await close_code(ws) == 4404


def small_receive_buffer() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


async def test_slow_reader_is_closed_for_a_resync_never_a_silent_gap(
        make_server: Callable[..., LiveServer]) -> None:
    server = make_server(allow_flood=True, extra_env={"CHANNEL_CAPACITY": "50"})
    tokens = server.register("slowreader")
    access = tokens["access"]
    job_id = new_job(server, access)
    sock = small_receive_buffer()
    sock.connect(("127.0.0.1", server.port))
    # Uncompressed, so the flood outgrows the kernel's socket buffers (compressed, 50,000 frames fit in
    # them, and a consumer that keeps up with the flood never falls behind: nothing to detect).
    ws = await joined(server, f"/ws/jobs/{job_id}/", access, sock=sock, max_queue=1, compression=None)
    answer = httpx.post(f"{server.url}/api/jobs/{job_id}/flood/", json={"rate": 5000, "seconds": 10},
                        headers={"Authorization": f"Bearer {access}"})
    assert answer.status_code == 202
    deadline = time.monotonic() + 60
    while "frames behind" not in server.log():  # the reader reads nothing until the server gives up on it
        assert time.monotonic() < deadline, "the server never noticed the stalled reader"
        await asyncio.sleep(0.05)
    got: list[int] = []
    try:
        async with asyncio.timeout(60):
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("kind") == "chat" and frame["text"].startswith("flood "):
                    got.append(frame["id"])
    except ConnectionClosed:
        pass
    except TimeoutError:
        raise AssertionError("the stalled socket was not closed") from None
    assert ws.close_code == 1013
    listed = httpx.get(f"{server.url}/api/job-messages/", params={"job_id": job_id}, timeout=60,
                       headers={"Authorization": f"Bearer {access}"}).json()  # ~50,000 rows, flood still on
    persisted = [m["id"] for m in listed if m["content"].startswith("flood ")]
    assert got == persisted[: len(got)], "the frames delivered before the close have a gap"
    assert len(got) < 50_000  # some were never sent on this socket: the client re-syncs them from REST
