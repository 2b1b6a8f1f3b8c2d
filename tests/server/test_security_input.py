"""Hostile clients over real HTTP: every odd input is a JSON 4xx, never a 500, an HTML page or a hang."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.support.live_server import LiveServer

DEEP = "[" * 100_000 + "]" * 100_000


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


def assert_json_4xx(answer: httpx.Response, status: int) -> dict:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    return answer.json()


@pytest.fixture
def owner(live_server: LiveServer) -> tuple[str, int]:
    """(access token, job id) of a fresh user on the shared server."""
    access = live_server.register(f"odd{time.monotonic_ns()}")["access"]
    job = httpx.post(f"{live_server.url}/api/jobs/", json={"initial_prompt": "A kite shop"},
                     headers=bearer(access))
    return access, job.json()["id"]


@pytest.mark.parametrize("digit", ["²", "٣", "１"])
def test_unicode_digits_in_ids_and_queries(live_server: LiveServer, owner: tuple[str, int],
                                           digit: str) -> None:
    access, job_id = owner
    get = lambda path, **params: httpx.get(f"{live_server.url}/api/{path}", params=params,  # noqa: E731
                                           headers=bearer(access))
    for path in (f"jobs/{digit}/", f"job-messages/{digit}/", f"apps/{digit}/", f"apps/by-job/{digit}/"):
        assert_json_4xx(get(path), 404)
    assert "job_id" in assert_json_4xx(get("job-messages/", job_id=digit), 400)
    assert "after" in assert_json_4xx(get("job-messages/", job_id=job_id, after=digit), 400)
    body = {"job": digit, "content": "hi"}
    answer = httpx.post(f"{live_server.url}/api/job-messages/", json=body, headers=bearer(access))
    assert "job" in assert_json_4xx(answer, 400)


@pytest.mark.parametrize("path, auth", [("jobs/", True), ("auth/register/", False), ("auth/login/", False)])
def test_deeply_nested_json_is_a_400(live_server: LiveServer, owner: tuple[str, int], path: str,
                                     auth: bool) -> None:
    headers = {"content-type": "application/json", **(bearer(owner[0]) if auth else {})}
    for body in (DEEP, '{"initial_prompt": ' + "[" * 70 + "]" * 70 + "}"):
        answer = httpx.post(f"{live_server.url}/api/{path}", content=body, headers=headers)
        assert "nested too deeply" in assert_json_4xx(answer, 400)["detail"]


def test_ten_megabyte_body_is_a_json_413(live_server: LiveServer, owner: tuple[str, int]) -> None:
    body = json.dumps({"initial_prompt": "x" * 10_000_000})
    answer = httpx.post(f"{live_server.url}/api/jobs/", content=body, headers=bearer(owner[0]))
    assert "limited to" in assert_json_4xx(answer, 413)["detail"]


def test_huge_chunked_unauthenticated_post_is_refused_early(live_server: LiveServer) -> None:
    """500 MB announced chunk by chunk: the 413 comes after about the limit (1 MiB), not after 500 MB."""
    sent = 0
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as sock:
        sock.sendall(b"POST /api/auth/register/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
        sock.setblocking(False)
        reply = b""
        deadline = time.monotonic() + 30
        while b"\r\n\r\n" not in reply:
            assert time.monotonic() < deadline, f"no answer after {sent} bytes"
            assert sent < 50 * 2**20, "the server kept reading past 50 MB"
            try:
                reply += sock.recv(65536)
                continue
            except BlockingIOError:
                pass
            try:
                sent += sock.send(chunk)
            except (BlockingIOError, ConnectionError):
                time.sleep(0.001)
        sock.setblocking(True)
        while not reply.rstrip().endswith(b"}"):
            reply += sock.recv(65536)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and b"application/json" in head
    assert "limited to" in json.loads(body)["detail"]


def test_foreign_host_header_is_a_400_and_never_echoed(live_server: LiveServer,
                                                       owner: tuple[str, int]) -> None:
    access, _ = owner
    evil = httpx.get(f"{live_server.url}/api/jobs/", params={"limit": 1},
                     headers={**bearer(access), "Host": "evil.example"})
    assert_json_4xx(evil, 400)
    assert "evil" not in evil.text
    httpx.post(f"{live_server.url}/api/jobs/", json={"initial_prompt": "Second"}, headers=bearer(access))
    page = httpx.get(f"{live_server.url}/api/jobs/", params={"limit": 1},
                     headers={**bearer(access), "Host": f"localhost:{live_server.port}"}).json()
    assert page["next"].startswith(f"http://localhost:{live_server.port}/api/jobs/")


def test_allowed_hosts_flag(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(extra_env={"ALLOWED_HOSTS": "app.example,127.0.0.1"})
    assert httpx.get(f"{server.url}/api/meta/", headers={"Host": "app.example"}).status_code == 200
    assert_json_4xx(httpx.get(f"{server.url}/api/meta/", headers={"Host": "other.example"}), 400)
    assert "Traceback" not in server.log()  # a made-up Host costs no traceback in the log


async def test_query_string_token_is_neither_used_nor_logged(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(access_log=True)
    access = server.register("logged")["access"]
    job = httpx.post(f"{server.url}/api/jobs/", json={"initial_prompt": "Quiet"},
                     headers=bearer(access)).json()
    for query in (f"?token={access}", f"?tok%65n={access}", f"?x=%{access[:1].encode().hex()}{access[1:]}"):
        async with connect(f"{server.ws_url}/ws/jobs/{job['id']}/{query}") as ws:
            if "x=" in query:  # not a token parameter: the socket waits for its auth frame
                await ws.send(json.dumps({"kind": "auth", "token": "wrong"}))
            await asyncio.wait_for(ws.wait_closed(), 10)
            assert ws.close_code == 4401
    httpx.get(f"{server.url}/api/meta/", params={"tok%65n": access})
    log = server.log()
    assert "/ws/jobs/" in log and "meta" in log, log[-2000:]
    for part in access.split("."):
        assert part not in log, "a piece of the token reached the log"


@pytest.mark.django_db
def test_refresh_for_a_deleted_user_is_a_401() -> None:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from server.authentication.serializers import tokens_for

    user = get_user_model().objects.create_user("gone", password="pass-word-123")
    refresh = tokens_for(user)["refresh"]
    user.delete()
    answer = APIClient().post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert answer.status_code == 401 and answer.json()["code"] in ("no_active_account", "token_not_valid")
