"""`ws/jobs/<job_id>/`: live job events, chat while collecting, ping/pong (see docs/protocol.md)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from server.authentication.middleware import user_for_token

from . import pipeline
from .models import Job
from .services import group_name, reply_error_frame
from .validation import MAX_ID

AUTH_TIMEOUT = 5.0
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _owned_job_exists(job_id: int, user: Any) -> bool:
    return Job.objects.filter(pk=job_id, owner=user).exists()


@database_sync_to_async
def _chat(job_id: int, user: Any, text: str) -> str | None:
    """Handle a user chat; returns an error code, or None when accepted."""
    job = Job.objects.filter(pk=job_id, owner=user).first()
    if job is None:
        return "not_found"
    if job.status != Job.Status.COLLECTING:
        return "not_collecting"
    pipeline.user_chat_sync(job, text)
    return None


class JobConsumer(AsyncWebsocketConsumer):
    """One socket per job. Auth by `?token=` (middleware) or a first `auth` frame within 5 s."""

    job_id: int
    user: Any = None
    joined = False
    auth_timer: asyncio.Task | None = None

    async def connect(self) -> None:
        raw = str(self.scope["url_route"]["kwargs"]["job_id"])
        self.job_id = int(raw) if raw.isdigit() and int(raw) <= MAX_ID else 0
        await self.accept()
        if self.scope.get("token_error"):
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            await self._join(user)
        else:
            self.auth_timer = asyncio.ensure_future(self._auth_deadline())

    async def _auth_deadline(self) -> None:
        await asyncio.sleep(AUTH_TIMEOUT)
        if self.user is None:
            await self.close(code=CLOSE_UNAUTHORIZED)

    async def _join(self, user: Any) -> None:
        if not self.job_id or not await _owned_job_exists(self.job_id, user):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user = user
        await self.channel_layer.group_add(group_name(self.job_id), self.channel_name)
        self.joined = True

    async def disconnect(self, code: int) -> None:
        if self.auth_timer is not None:
            self.auth_timer.cancel()
        if self.joined:
            await self.channel_layer.group_discard(group_name(self.job_id), self.channel_name)
            self.joined = False

    async def _error(self, code: str, text: str) -> None:
        await self.send(text_data=json.dumps(reply_error_frame(self.job_id or None, code, text)))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = json.loads(text_data if text_data is not None else (bytes_data or b"").decode())
        except (ValueError, UnicodeDecodeError):
            frame = None
        if not isinstance(frame, dict):
            if self.user is None:
                await self.close(code=CLOSE_UNAUTHORIZED)
                return
            await self._error("bad_frame", "Frames must be JSON objects.")
            return
        kind = frame.get("kind", frame.get("type"))
        if self.user is None:
            await self._authenticate(frame, kind)
        elif kind == "ping":
            await self.send(text_data=json.dumps({"kind": "pong"}))
        elif kind == "auth":
            return
        elif kind == "chat":
            await self._receive_chat(frame)
        else:
            await self._error("unknown_kind", f"Unknown frame kind: {str(kind)[:40]!r}.")

    async def _authenticate(self, frame: dict[str, Any], kind: Any) -> None:
        token = frame.get("token")
        user = await user_for_token(token) if kind == "auth" and isinstance(token, str) and token else None
        if user is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        if self.auth_timer is not None:
            self.auth_timer.cancel()
        await self._join(user)

    async def _receive_chat(self, frame: dict[str, Any]) -> None:
        text = frame.get("text") if "kind" in frame else frame.get("message")
        if not isinstance(text, str) or not text.strip() or "\x00" in text:
            await self._error("bad_frame", "A chat frame needs a non-empty text.")
            return
        if len(text) > settings.MAX_PROMPT_LENGTH:
            await self._error("too_long", f"Messages are limited to {settings.MAX_PROMPT_LENGTH} characters.")
            return
        result = await _chat(self.job_id, self.user, text.strip())
        if result == "not_found":
            await self.close(code=CLOSE_NOT_FOUND)
        elif result == "not_collecting":
            await self._error(
                "not_collecting", "Chat is only possible while the job is collecting requirements."
            )

    async def job_frame(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(event["frame"]))

    async def job_deleted(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_NOT_FOUND)
