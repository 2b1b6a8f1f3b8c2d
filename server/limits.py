"""Input limits: bodies refused on size before they are read, JSON refused past a nesting depth.

Each answer is a JSON 4xx: a hostile client gets a reason, never a 500, an HTML page or a dropped socket.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

TOO_DEEP = "JSON nested too deeply."


def depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests lists/objects deeper than `limit` (iterative: no recursion on hostile input)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads_bounded(text: str | bytes) -> Any:
    """`json.loads`, with too-deep nesting a ValueError like any other malformed JSON."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
    if depth_exceeds(value, settings.MAX_JSON_DEPTH):
        raise ValueError(TOO_DEEP)
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, answering 400 (not 500) to JSON nested past MAX_JSON_DEPTH."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # the decoder recursed past Python's limit: DRF only catches ValueError
            raise ParseError(TOO_DEEP) from None
        if depth_exceeds(data, settings.MAX_JSON_DEPTH):
            raise ParseError(TOO_DEEP)
        return data


Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: a body over MAX_BODY_BYTES (declared or, chunked, as it arrives) gets 413 at once.

    Django's ASGI handler would otherwise read (and spool to disk) the whole body before any view runs."""

    def __init__(self, app: Callable[..., Awaitable[Any]]) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Receive, send: Send) -> Any:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.MAX_BODY_BYTES
        detail = f"Request bodies are limited to {limit} bytes."
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                return await _refuse(send, 400, "Content-Length is not a number.")
            if int(declared) > limit:
                return await _refuse(send, 413, detail)
        messages: list[dict] = []
        size = 0
        while True:  # buffer the body (at most `limit` bytes), then replay it to Django
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                return await _refuse(send, 413, detail)
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed() -> dict:
            return next(replay, None) or await receive()

        return await self.app(scope, replayed, send)
