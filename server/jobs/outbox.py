"""One socket's outgoing ASGI messages, in order, pushed without a task per message.

A job frame broadcast to 1,000 sockets used to cost each socket a queue item, a task wake-up, a new receive
task with `asyncio.wait`, and a dispatch before its ASGI `send`: most of the server's CPU per frame. The
in-process channel layer now pushes the frame to every local socket's outbox from the one broadcasting
task (`ClosingInMemoryChannelLayer.attach`). The ASGI send runs right there up to its first suspension, which
for a socket whose transport takes the bytes is the whole send: no task at all. A send that has to wait (the
client reads slowly) continues in this socket's own writer task, and later frames queue behind it, at most
`capacity` of them: one more and the layer closes the socket with 1013, as for a full channel queue.
The consumer's own sends (pong, error frames, close) go through `send`, behind any frame before them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from types import CoroutineType
from typing import Any

log = logging.getLogger(__name__)
Send = Callable[[dict[str, Any]], Awaitable[None]]


class _Rest:
    """The remainder of a coroutine already run to its first suspension (`yielded`), as an awaitable."""

    __slots__ = ("coro", "yielded")

    def __init__(self, coro: Coroutine[Any, Any, None], yielded: Any) -> None:
        self.coro, self.yielded = coro, yielded

    def __await__(self) -> Generator[Any, Any, None]:
        coro, yielded = self.coro, self.yielded
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # cancellation and the like go into the coroutine, as with `await`
                try:
                    yielded = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    yielded = coro.send(sent)
                except StopIteration:
                    return


def run_until_suspended(step: Awaitable[None]) -> Awaitable[None] | None:
    """Run a coroutine on this task until it first waits: None when it finished, else what is left of it.
    (Any other awaitable an ASGI server's `send` may return is left to be awaited as it is.)"""
    if type(step) is not CoroutineType and not isinstance(step, Coroutine):  # the first test is the fast one
        return step
    try:
        yielded = step.send(None)
    except StopIteration:
        return None
    return _Rest(step, yielded)


class Outbox:
    """The sends of one socket; `push` from the broadcasting task, `send` from the socket's consumer."""

    def __init__(self, send: Send, capacity: int) -> None:
        self._send, self.capacity = send, capacity
        self.pending: deque[tuple[float, dict[str, Any]]] = deque()  # (expires, message) behind a send
        self.busy = False  # a send is under way (the pending ones follow it)
        self.closed = False  # the socket was closed or failed: later frames have nowhere to go
        self._idle: asyncio.Future[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self.loop = asyncio.get_running_loop()  # the socket's: its transport is written from there only

    def push(self, event: dict[str, Any], expires: float) -> bool:
        """Send a group event's pre-encoded `text` after what is before it; False when `capacity` messages
        already wait (the layer then closes the socket for a re-sync)."""
        if self.closed:
            return True
        if asyncio.get_running_loop() is not self.loop:  # a send from another loop's thread: hand it over
            self.loop.call_soon_threadsafe(self.push, event, expires)
            return True
        message = {"type": "websocket.send", "text": event["text"]}
        if self.busy:
            if len(self.pending) >= self.capacity:
                return False
            self.pending.append((expires, message))
            return True
        self.busy = True
        try:
            rest = run_until_suspended(self._send(message))
        except Exception as err:
            self._failed(err)
            self._done()
            return True
        if rest is None:
            self._done()
        else:
            self._writer = asyncio.ensure_future(self._drain(rest))
        return True

    def expired(self, now: float) -> bool:
        """A message has waited longer than the layer's expiry (the reader stalled)."""
        return bool(self.pending) and self.pending[0][0] < now

    def drop(self) -> int:
        """Forget the messages not yet sent (the socket is being closed for a re-sync); how many."""
        dropped = len(self.pending)
        self.pending.clear()
        return dropped

    async def send(self, message: dict[str, Any]) -> None:
        """The consumer's own send, after every message pushed before it."""
        while self.busy:
            if self._idle is None:
                self._idle = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._idle)
        if message["type"] == "websocket.close":
            self.closed = True
            self.pending.clear()
        self.busy = True
        try:
            await self._send(message)
        finally:
            self._done()

    async def _drain(self, rest: Awaitable[None] | None) -> None:
        try:
            if rest is not None:
                await rest
            while self.pending and not self.closed:
                await self._send(self.pending.popleft()[1])
        except Exception as err:
            self._failed(err)
        finally:
            self._writer = None
            self._done()

    def _done(self) -> None:
        """The send under way finished: start on the pending ones, or wake a consumer waiting to send."""
        if self.pending and not self.closed:
            if self._writer is None:
                self._writer = asyncio.ensure_future(self._drain(None))
            return
        self.busy = False
        if self._idle is not None:
            self._idle.set_result(None)
            self._idle = None

    def _failed(self, err: Exception) -> None:
        """The connection is gone (its disconnect reaches the consumer the usual way): drop the rest."""
        log.debug("socket send failed, dropping %s pending frames: %r", len(self.pending), err)
        self.closed = True
        self.pending.clear()
