"""The job socket against the real ASGI app (Channels WebsocketCommunicator), both dialects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from server.asgi import application
from server.jobs import pipeline
from server.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def make_job(username: str, status: str = "collecting") -> tuple[int, str]:
    user, _ = get_user_model().objects.get_or_create(username=username)
    job = pipeline.create_job_sync(user, "A recipe box for families")
    if status != "collecting":
        Job.objects.filter(pk=job.pk).update(status=status)
    return job.pk, str(AccessToken.for_user(user))


@database_sync_to_async
def job_status(job_id: int) -> str:
    return Job.objects.get(pk=job_id).status


@pytest.fixture
async def sockets() -> AsyncIterator[list[WebsocketCommunicator]]:
    opened: list[WebsocketCommunicator] = []
    yield opened
    for communicator in opened:
        await communicator.disconnect()
    await pipeline.runtime.cancel_all()


async def open_socket(opened: list, path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect()
    assert connected
    opened.append(communicator)
    return communicator


async def authed(opened: list, job_id: int | str, token: str, ready: bool = True) -> WebsocketCommunicator:
    """A socket authenticated by its first frame; `ready`: the ping answered, so it has joined the job."""
    ws = await open_socket(opened, f"/ws/jobs/{job_id}/")
    await ws.send_json_to({"kind": "auth", "token": token})
    if ready:
        await ws.send_json_to({"kind": "ping"})
        assert await ws.receive_json_from(timeout=3) == {"kind": "pong"}
    return ws


async def closed_with(communicator: WebsocketCommunicator) -> int:
    output = await communicator.receive_output(timeout=3)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def test_query_token_chat_gets_agent_answer(sockets: list) -> None:
    job_id, token = await make_job("sock1")
    ws = await authed(sockets, job_id, token)
    await ws.send_json_to({"kind": "chat", "text": "Parents who cook"})
    mine = await ws.receive_json_from(timeout=3)
    answer = await ws.receive_json_from(timeout=3)
    assert mine["kind"] == "chat" and mine["role"] == "user" and mine["text"] == "Parents who cook"
    assert mine["job_id"] == job_id and isinstance(mine["id"], int) and mine["created_at"].endswith("Z")
    assert answer["kind"] == "chat" and answer["role"] == "agent" and answer["text"].endswith("?")
    assert answer["id"] > mine["id"]


async def test_first_frame_auth_and_legacy_dialect(sockets: list, settings: Any) -> None:
    settings.WS_DIALECT = "legacy"
    job_id, token = await make_job("sock2")
    ws = await open_socket(sockets, f"/ws/jobs/{job_id}/")
    await ws.send_json_to({"kind": "auth", "token": token})
    await ws.send_json_to({"type": "chat", "message": "Cooks"})
    mine = await ws.receive_json_from(timeout=3)
    assert set(mine) == {"type", "messageId", "jobId", "role", "message", "timestamp"}
    assert mine["type"] == "agentDialogue" and mine["message"] == "Cooks" and mine["jobId"] == job_id
    question = await ws.receive_json_from(timeout=3)
    assert question["type"] == "agentDialogue" and question["role"] == "agent"
    await ws.send_json_to({"type": "dance"})
    error = await ws.receive_json_from(timeout=3)
    assert error["type"] == "error" and error["messageId"] is None and error["code"] == "unknown_kind"


async def test_go_runs_the_pipeline_to_the_app(sockets: list) -> None:
    job_id, token = await make_job("sock3")
    ws = await authed(sockets, job_id, token)
    await ws.send_json_to({"kind": "chat", "text": "/go"})
    frames = []
    while not frames or frames[-1]["kind"] != "app":
        frames.append(await ws.receive_json_from(timeout=5))
    kinds = [(f["kind"], f.get("status")) for f in frames]
    assert kinds[:5] == [
        ("chat", None),
        ("chat", None),
        ("status", "prd"),
        ("status", "prd"),
        ("status", "building"),
    ]
    assert kinds[-2:] == [("status", "done"), ("app", None)]
    assert [f["id"] for f in frames] == sorted(f["id"] for f in frames)
    assert frames[3]["prd"].startswith("# ") and frames[-1]["app_id"]
    assert await job_status(job_id) == "done"


@pytest.mark.parametrize("which", ["nope", "expired"])
async def test_bad_or_expired_token_closes_4401(sockets: list, which: str) -> None:
    job_id, token = await make_job("sock4")
    expired = AccessToken(token)
    expired.set_exp(lifetime=-timedelta(seconds=5))
    ws = await authed(sockets, job_id, "nope" if which == "nope" else str(expired), ready=False)
    assert await closed_with(ws) == 4401


@pytest.mark.parametrize("query", ["?token={token}", "?tok%65n={token}", "?TOKEN=x&a=1"])
async def test_query_string_tokens_are_refused(sockets: list, query: str) -> None:
    """A token in the URL would be written to access logs: the socket is closed, the token not used."""
    job_id, token = await make_job("sock4q")
    ws = await open_socket(sockets, f"/ws/jobs/{job_id}/" + query.format(token=token))
    assert await closed_with(ws) == 4401


async def test_bad_first_frame_closes_4401(sockets: list) -> None:
    job_id, _ = await make_job("sock5")
    ws = await open_socket(sockets, f"/ws/jobs/{job_id}/")
    await ws.send_json_to({"kind": "auth", "token": "garbage"})
    assert await closed_with(ws) == 4401
    ws2 = await open_socket(sockets, f"/ws/jobs/{job_id}/")
    await ws2.send_json_to({"kind": "chat", "text": "hi"})
    assert await closed_with(ws2) == 4401


async def test_missing_auth_times_out_with_4401(sockets: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("server.jobs.consumers.AUTH_TIMEOUT", 0.1)
    job_id, _ = await make_job("sock6")
    ws = await open_socket(sockets, f"/ws/jobs/{job_id}/")
    assert await closed_with(ws) == 4401


async def test_other_users_or_missing_job_closes_4404(sockets: list) -> None:
    job_id, _ = await make_job("sock7")
    _, other_token = await make_job("sock8")
    ws = await authed(sockets, job_id, other_token, ready=False)
    assert await closed_with(ws) == 4404
    for path in ("99999999999999999999999", "²", "١٢"):  # out of range; Unicode digits are not ids
        ws2 = await authed(sockets, path, other_token, ready=False)
        assert await closed_with(ws2) == 4404


async def test_chat_after_collecting_errors_and_stays_open(sockets: list) -> None:
    job_id, token = await make_job("sock9", status="done")
    ws = await authed(sockets, job_id, token)
    await ws.send_json_to({"kind": "chat", "text": "more please"})
    error = await ws.receive_json_from(timeout=3)
    assert error["kind"] == "error" and error["id"] is None and error["code"] == "not_collecting"
    assert error["job_id"] == job_id
    await ws.send_json_to({"kind": "ping"})
    assert await ws.receive_json_from(timeout=3) == {"kind": "pong"}


@pytest.mark.parametrize(
    "raw, code",
    [
        ("{not json", "bad_frame"),
        ("[1, 2]", "bad_frame"),
        ('{"kind": "chat", "text": ""}', "bad_frame"),
        ('{"kind": "chat", "text": 5}', "bad_frame"),
        ('{"kind": "launch"}', "unknown_kind"),
        ('{"kind": "chat", "text": "' + "x" * 20001 + '"}', "too_long"),
    ],
)
async def test_bad_frames_get_error_frame_and_connection_stays(sockets: list, raw: str, code: str) -> None:
    job_id, token = await make_job("sock10")
    ws = await authed(sockets, job_id, token)
    await ws.send_to(text_data=raw)
    error = await ws.receive_json_from(timeout=3)
    assert error["kind"] == "error" and error["id"] is None and error["code"] == code
    await ws.send_json_to({"kind": "ping"})
    assert await ws.receive_json_from(timeout=3) == {"kind": "pong"}


def rest(token: str, method: str, path: str, body: dict | None = None) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return getattr(client, method)(path, body).status_code


async def test_rest_message_is_broadcast_and_delete_closes_4404(sockets: list) -> None:
    job_id, token = await make_job("sock11")
    ws = await authed(sockets, job_id, token)
    body = {"job": job_id, "content": "note", "role": "system", "kind": "status"}
    assert await database_sync_to_async(rest)(token, "post", "/api/job-messages/", body) == 201
    frame = await ws.receive_json_from(timeout=3)
    assert frame["kind"] == "status" and frame["text"] == "note" and frame["status"] == "collecting"
    assert await database_sync_to_async(rest)(token, "delete", f"/api/jobs/{job_id}/") == 204
    assert await closed_with(ws) == 4404
