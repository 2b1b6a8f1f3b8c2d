"""A few long-lived threads ("lanes") that run the sync part of HTTP requests (middleware, DRF, the ORM).

Django's ASGI handler gives every request a fresh `ThreadSensitiveContext`, so every request started a new
thread and, since database connections belong to a thread, opened a new database connection. Here each
request's `ThreadSensitiveContext` gets a `LaneSlot` as its executor: the request's first call waits for a
lane, and its later calls (a streaming response's close) go to the same lane. A lane's thread, and that
thread's persistent connection (`CONN_MAX_AGE`), serve request after request.

Which lane: a request starts on an idle lane only when every busy lane has been on its current call for
`SPILL_AFTER` or more; otherwise it waits, and the first lane to finish runs it straight after its own call.
So a burst of short requests runs back to back on one thread, and a slow request (a password hash, a purge,
a database lock held by another process) holds the others up by about `SPILL_AFTER` (20 ms): then they
spill to the next idle lane. Lanes running short requests at once only contend for the GIL (SQLite releases
it once per row fetched; each handover is a thread switch): with 8 lanes each list request cost ~1.5 ms more
CPU than with one (docs/performance.md, "Server list, one lane at a time").

`LaneASGIHandler` then does a request's synchronous work in one hop to the lane, where Django's async
handler hopped for each signal and middleware hook (7 thread switches a request: most of a small request's
CPU time).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, Future
from queue import SimpleQueue
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import HttpResponseBase
from django.urls import set_script_prefix

# A busy lane's call running longer than this lets a waiting request start on another lane (seconds).
# 5 ms spilled often on a loaded machine (a 2 ms call preempted by the OS), 20 ms rarely.
SPILL_AFTER = 0.020


class Call:
    """One call of a request's sync code, and the future its awaiting coroutine watches."""

    __slots__ = ("future", "fn", "args", "kwargs")

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        self.future: Future = Future()
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # handed to the awaiting coroutine, as ThreadPoolExecutor does
            self.future.set_exception(exc)
            self = None  # type: ignore[assignment]  # no reference cycle through the traceback
        else:
            self.future.set_result(result)


class Lane:
    """One thread, the calls bound to it, and since when it has been running its current call."""

    def __init__(self, lanes: Lanes, index: int) -> None:
        self.index = index
        self.calls: SimpleQueue[Call | None] = SimpleQueue()
        self.queued = 0  # calls given to this lane and not finished (under the lanes' lock)
        self.busy_since: float | None = None  # None: idle (under the lanes' lock)
        self.in_flight = 0  # requests bound to this lane (under the lanes' lock)
        self.thread = threading.Thread(target=lanes.serve, args=(self,), name=f"http-lane-{index}",
                                       daemon=True)


class LaneSlot(Executor):
    """One request's executor: its first call waits for a lane (`Lanes.start`), later ones go to that lane."""

    def __init__(self, lanes: Lanes) -> None:
        self.lanes = lanes
        self.lane: Lane | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        call = Call(fn, args, kwargs)
        self.lanes.start(self, call)
        return call.future


class Lanes:
    """The lanes of one process. `lane()` is entered on the event loop thread; the lanes' threads only take
    work under `lock`."""

    def __init__(self, count: int, spill_after: float = SPILL_AFTER) -> None:
        self.lock = threading.Lock()
        self.spill_after = spill_after
        self.lanes = [Lane(self, i) for i in range(max(1, count))]
        self.waiting: deque[tuple[LaneSlot, Call]] = deque()
        self.recheck: asyncio.TimerHandle | None = None
        for lane in self.lanes:
            lane.thread.start()

    @property
    def in_flight(self) -> list[int]:
        """Requests bound to each lane."""
        return [lane.in_flight for lane in self.lanes]

    @contextlib.asynccontextmanager
    async def lane(self) -> AsyncIterator[LaneSlot]:
        """Run the body's thread-sensitive sync calls on one lane, chosen at the first call."""
        slot = LaneSlot(self)
        try:
            async with ThreadSensitiveContext(executor=slot):
                yield slot
        finally:
            with self.lock:
                if slot.lane is not None:
                    slot.lane.in_flight -= 1
                elif self.waiting:  # cancelled while waiting for a lane: no lane will run it
                    self.waiting = deque(entry for entry in self.waiting if entry[0] is not slot)

    def start(self, slot: LaneSlot, call: Call) -> None:
        """Queue `call` on the slot's lane; bind a new slot to an idle lane if none is running a fresh call,
        else let it wait (a lane picks it up when done, or `spill` moves it once the busy lanes are slow)."""
        with self.lock:
            if slot.lane is not None:
                self._put(slot.lane, call)
                return
            lane = self._spill_lane(time.monotonic())
            if lane is not None and not self.waiting:
                self._bind(slot, lane)
                self._put(lane, call)
                return
            self.waiting.append((slot, call))
        self._schedule_spill()

    def _spill_lane(self, now: float, force: bool = False) -> Lane | None:
        """An idle lane, if every busy lane has been on its current call for `spill_after` or more (any idle
        lane if `force`)."""
        idle = None
        for lane in self.lanes:
            if lane.busy_since is None:
                if idle is None and not lane.queued:
                    idle = lane
            elif not force and now - lane.busy_since < self.spill_after:
                return None
        return idle

    def _bind(self, slot: LaneSlot, lane: Lane) -> None:
        slot.lane = lane
        lane.in_flight += 1

    def _put(self, lane: Lane, call: Call) -> None:
        lane.queued += 1
        if lane.busy_since is None:
            lane.busy_since = time.monotonic()
        lane.calls.put(call)

    def _schedule_spill(self) -> None:
        """On the event loop (where requests enter): check again when the freshest busy call turns slow."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on a loop: nothing would check again, so spill now
            self.spill(force=True)
            return
        if self.recheck is None:
            self.recheck = loop.call_later(self.spill_after, self.spill)

    def spill(self, force: bool = False) -> None:
        """Move waiting requests to idle lanes while the busy lanes are all slow."""
        self.recheck = None
        with self.lock:
            while self.waiting:
                lane = self._spill_lane(time.monotonic(), force)
                if lane is None:
                    break
                slot, call = self.waiting.popleft()
                self._bind(slot, lane)
                self._put(lane, call)
            again = bool(self.waiting)
        if again:
            self._schedule_spill()

    def serve(self, lane: Lane) -> None:
        """A lane's thread: its own calls, then waiting requests back to back, then sleep."""
        call: Call | None = lane.calls.get()
        while call is not None:
            call.run()
            with self.lock:
                lane.queued -= 1
                if lane.queued:
                    lane.busy_since = time.monotonic()
                    call = None
                elif self.waiting:
                    slot, call = self.waiting.popleft()
                    self._bind(slot, lane)
                    lane.queued += 1
                    lane.busy_since = time.monotonic()
                else:
                    lane.busy_since = None
                    call = None
            if call is None:
                call = lane.calls.get()

    def shutdown(self) -> None:
        for lane in self.lanes:
            lane.calls.put(None)


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
