"""`ws/jobs/<job_id>/`: live job events, chat while collecting, ping/pong (see docs/protocol.md).

Authentication is by a first `auth` frame only (a token in the URL would land in access logs). A socket
lives no longer than its access token or its login session: it is closed with 4401 when the token expires
and when the session logs out, and with 1013 (try again, re-sync) when it could not keep up with frames.

Job frames arrive from the channel group already encoded (`services.frame_event`: once per message, not
once per socket), and handling one touches no database, so the consumer skips Channels' per-message
`aclose_old_connections` (a thread hop per frame per socket: most of a broadcast's cost). With the
in-process channel layer they do not even pass through the consumer: its outbox (server/jobs/outbox.py),
which every send of this socket goes through in order, takes them straight from the broadcasting task.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from server.authentication.sessions import SocketAuth, authenticate, session_group, user_group
from server.limits import TOO_DEEP, loads_bounded
from server.validation import parse_id_or_none

from . import pipeline
from .models import Job
from .outbox import Outbox
from .services import group_name, reply_error_frame

AUTH_TIMEOUT = 5.0
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TRY_AGAIN = 1013  # frames had to be dropped: the client reconnects and re-syncs from REST
NOT_AN_OBJECT = "Frames must be JSON objects."
DIRECT_EVENTS = frozenset({"job.frame"})  # what the in-process layer hands to the outbox directly


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


def has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def query_has_token(scope: dict) -> bool:
    """`?token=` (however percent-encoded) is refused, not honoured: it would end up in access logs."""
    raw = scope.get("query_string", b"").decode("latin-1")
    return any(key.strip().lower() == "token" for key in parse_qs(raw, keep_blank_values=True))


class JobConsumer(AsyncJsonWebsocketConsumer):
    """One socket per job; a first `auth` frame within 5 s."""

    job_id: int
    user: Any = None
    groups_joined: tuple[str, ...] = ()
    auth_timer: asyncio.Task | None = None
    expiry_timer: asyncio.Task | None = None
    expires_at = 0.0
    outbox: Outbox | None = None

    async def connect(self) -> None:
        if hasattr(self.channel_layer, "attach"):  # the in-process layer (server/jobs/layer.py)
            self.outbox = Outbox(self.base_send, self.channel_layer.get_capacity(self.channel_name))
            self.base_send = self.outbox.send  # every send of this socket, in order behind pushed frames
        self.job_id = parse_id_or_none(self.scope["url_route"]["kwargs"]["job_id"]) or 0
        await self.accept()
        if query_has_token(self.scope):
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.auth_timer = asyncio.ensure_future(self._auth_deadline())

    async def _auth_deadline(self) -> None:
        await asyncio.sleep(AUTH_TIMEOUT)
        if self.user is None:
            await self.close(code=CLOSE_UNAUTHORIZED)

    async def _expire(self) -> None:
        await asyncio.sleep(max(0.0, self.expires_at - time.time()))
        await self.close(code=CLOSE_UNAUTHORIZED)

    async def _join(self, auth: SocketAuth) -> None:
        if not self.job_id or not await _owned_job_exists(self.job_id, auth.user):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user, self.expires_at = auth.user, auth.expires_at
        self.expiry_timer = asyncio.ensure_future(self._expire())
        groups = [group_name(self.job_id), user_group(auth.user.pk)]
        if auth.sid:
            groups.append(session_group(auth.sid))
        if self.outbox is not None:
            self.channel_layer.attach(self.channel_name, self.outbox, DIRECT_EVENTS)
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = tuple(groups)

    async def disconnect(self, code: int) -> None:
        for timer in (self.auth_timer, self.expiry_timer):
            if timer is not None:
                timer.cancel()
        if self.outbox is not None:
            self.channel_layer.detach(self.channel_name)
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections` before each handler: the handlers reach
        the database only through `database_sync_to_async`, which closes stale connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        return loads_bounded(text_data)  # ValueError past MAX_JSON_DEPTH, as for invalid JSON

    async def _error(self, code: str, text: str) -> None:
        await self.send_json(reply_error_frame(self.job_id or None, code, text))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None,
                      **kwargs: Any) -> None:
        """The JSON consumer's, except that a frame that is not JSON (binary, invalid, nested too deeply)
        is refused with an error frame, or before authentication with 4401, and the socket stays usable."""
        if self.user is not None and time.time() >= self.expires_at:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        try:
            text = text_data if text_data is not None else (bytes_data or b"").decode()
            content = await self.decode_json(text)
        except (ValueError, UnicodeDecodeError) as err:
            await self._refuse(TOO_DEEP if str(err) == TOO_DEEP else NOT_AN_OBJECT)
            return
        await self.receive_json(content)

    async def _refuse(self, problem: str) -> None:
        if self.user is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
        else:
            await self._error("bad_frame", problem)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._refuse(NOT_AN_OBJECT)
            return
        kind = content.get("kind", content.get("type"))
        if self.user is None:
            await self._authenticate(content, kind)
        elif kind == "ping":
            await self.send_json({"kind": "pong"})
        elif kind == "auth":
            return
        elif kind == "chat":
            await self._receive_chat(content)
        else:
            await self._error("unknown_kind", f"Unknown frame kind: {str(kind)[:40]!r}.")

    async def _authenticate(self, frame: dict[str, Any], kind: Any) -> None:
        token = frame.get("token")
        auth = await authenticate(token) if kind == "auth" and isinstance(token, str) and token else None
        if auth is None:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        if self.auth_timer is not None:
            self.auth_timer.cancel()
        await self._join(auth)

    async def _receive_chat(self, frame: dict[str, Any]) -> None:
        text = frame.get("text") if "kind" in frame else frame.get("message")
        if not isinstance(text, str) or not text.strip() or "\x00" in text:
            await self._error("bad_frame", "A chat frame needs a non-empty text.")
            return
        if has_surrogate(text):
            await self._error("bad_frame", "The text holds a lone surrogate (not valid Unicode).")
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
        """A frame through the channel layer's queue (a layer without `attach`, such as channels_redis)."""
        await self.send(text_data=event["text"])  # encoded once for the whole group

    async def job_deleted(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_NOT_FOUND)

    async def session_ended(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHORIZED)

    async def channel_overflowed(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_TRY_AGAIN)
