"""A few long-lived threads ("lanes") that run the sync part of HTTP requests (middleware, DRF, the ORM).

Django's ASGI handler gives every request a fresh `ThreadSensitiveContext`, so every request started a new
thread and, since database connections belong to a thread, opened a new database connection. A lane is a
one-thread executor handed to asgiref's `ThreadSensitiveContext(executor=...)` (Django's own context then
defers to it): its thread, and that thread's persistent connection (`CONN_MAX_AGE`), serve request after
request. Each request takes the lane with the fewest requests in flight, so one slow request (a password
hash, a database lock held by another process) holds up only its own lane.

`LaneASGIHandler` then does a request's synchronous work in one hop to the lane, where Django's async
handler hopped for each signal and middleware hook (7 thread switches a request: most of a small request's
CPU time).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import HttpResponseBase
from django.urls import set_script_prefix


class Lanes:
    """Used from the event loop thread only (no lock needed for the in-flight counts)."""

    def __init__(self, count: int) -> None:
        self.executors = [ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-lane-{i}")
                          for i in range(max(1, count))]
        self.in_flight = [0] * len(self.executors)

    @contextlib.asynccontextmanager
    async def lane(self) -> AsyncIterator[int]:
        """Run the body's thread-sensitive sync calls on the least busy lane; yields the lane's index."""
        index = min(range(len(self.in_flight)), key=self.in_flight.__getitem__)
        self.in_flight[index] += 1
        try:
            async with ThreadSensitiveContext(executor=self.executors[index]):
                yield index
        finally:
            self.in_flight[index] -= 1

    def shutdown(self) -> None:
        for executor in self.executors:
            executor.shutdown(wait=False)


class LaneASGIHandler(ASGIHandler):
    """Django's ASGI handler, with each request's synchronous work done in one hop to its lane.

    Every view here is synchronous (DRF), so the middleware chain is loaded in sync mode, and the
    `request_started` signal, the middleware and view, and (for a complete, non-streaming response)
    `response.close()` with its `request_finished` signal all run in that one call, as under WSGI."""

    def __init__(self) -> None:
        BaseHandler.__init__(self)  # ASGIHandler.__init__ would load the middleware in async mode
        self.load_middleware(is_async=False)

    async def handle(self, scope: dict, receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self.respond, thread_sensitive=True)(scope, body_file)
            await self.send_response(response, send)
            if response.streaming:
                await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def respond(self, scope: dict, body_file: Any) -> HttpResponseBase:
        """On the lane: the whole Django request, closed already unless it streams."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
        if not response.streaming:
            response.close()
        return response
