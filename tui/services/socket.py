"""`JobSocket`: a job's live events, with reconnect, backoff and REST re-sync (no duplicates, no gaps).

A background task owns the connection and feeds a queue that `async for` reads:

1. connect to `ws(s)://…/ws/jobs/<id>/` and authenticate with a first `auth` frame (no token in the URL),
   then `ping` and wait for the `pong`: by then the server has joined the socket to the job's group;
2. fetch `job-messages/?job_id=&after=<last seen id>` over REST and deliver them (frames that arrive
   meanwhile wait in the websocket's own buffer, so order holds);
3. deliver socket frames, dropping any message id already delivered;
4. on a drop, back off (exponential, with jitter) and go to 1. Close code 4401 refreshes the token first;
   4404 (or a 404 on re-sync) ends the stream with `JobGoneEvent`.

Frames are read by meaning (`translate_frame`), so most spellings of a deployed server are understood. While
every frame is readable the socket makes no REST calls. A frame that cannot be read (unknown kind, no message
id, ...) is never passed on: it makes the socket *stale*, and a stale socket catches up over REST
(`job-messages/?after=`, then `jobs/<id>/` as a `JobSnapshotEvent`). Catch-ups run inline, so at most one is
in flight, and at least `CATCH_UP_GAP` apart: a burst of unreadable frames costs one or two. Readable frames
that arrive while stale wait for the catch-up (its messages come first; ids already delivered are dropped).
The first unreadable frame also sends one `ApiFallbackEvent` and logs one warning.

Chats typed while disconnected are queued (`ChatQueued`) and sent after the next re-sync; a chat sent just
before a drop whose echo never came back is sent again. websockets' own ping/pong keeps the connection alive
and detects dead peers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import AsyncIterator, Awaitable
from typing import Protocol, TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from tui.services.dialects import event_from_message, translate_frame
from tui.services.errors import AuthRequired, NotFound, ServiceError
from tui.services.events import (
    FALLBACK_HINT,
    ApiFallbackEvent,
    ChatEvent,
    ChatQueued,
    ConnectionEvent,
    ErrorEvent,
    Event,
    JobGoneEvent,
    JobSnapshotEvent,
    WarningEvent,
)
from tui.services.job_updates import shown
from tui.services.models import Job, JobMessage

log = logging.getLogger(__name__)

CLOSE_AUTH = 4401
CLOSE_GONE = 4404
REJECTED_CHAT_CODES = {"not_collecting", "too_long", "bad_frame"}
_END = object()
PONG_WAIT = 3.0
CATCH_UP_GAP = 0.3  # seconds between REST catch-ups: at most ~3 a second, however many frames are unreadable
T = TypeVar("T")


def is_reply(raw: str | bytes) -> bool:
    """A `pong`, or an error answering one client frame (no message id): the server has read our frames."""
    try:
        frame = json.loads(raw)
    except (ValueError, TypeError, RecursionError):
        return False
    if not isinstance(frame, dict):
        return False
    kind = frame.get("kind", frame.get("type"))
    return kind == "pong" or (kind == "error" and frame.get("id", frame.get("messageId")) is None)


class SocketClient(Protocol):
    """What a JobSocket needs of the ApiClient."""

    def ws_url(self, job_id: int) -> str: ...
    async def access_token(self) -> str: ...
    async def refresh(self) -> None: ...
    async def list_messages(self, job_id: int, after: int | None = None) -> list[JobMessage]: ...
    async def get_job(self, job_id: int) -> Job: ...


class _Retry(Exception):
    """The connection is gone; try again after a backoff. `detail` says why, in words."""

    def __init__(self, detail: str, refresh: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.refresh = refresh


class _Stop(Exception):
    """The stream is over for good; `event` is the last thing to deliver."""

    def __init__(self, event: Event) -> None:
        super().__init__(str(event))
        self.event = event


class JobSocket:
    """Async iterator of one job's events. Call `close()` when done with it."""

    def __init__(self, client: SocketClient, job_id: int, last_seen_id: int = 0,
                 backoff: tuple[float, float] = (0.2, 5.0)) -> None:
        self.client = client
        self.job_id = job_id
        self.last_seen_id = last_seen_id
        self.backoff = backoff
        self.attempt = 0
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._ws: ClientConnection | None = None
        self._live = False
        self._closing = asyncio.Event()
        self._outbox: list[str] = []  # typed while disconnected, not sent yet
        self._unconfirmed: list[str] = []  # sent, echo not seen yet
        self._stale = False  # an unreadable frame came: catch up over REST
        self._catching_up = False
        self._held: list[Event] = []  # readable frames that came while stale
        self._next_catch_up = 0.0  # loop time before which no catch-up starts
        self._snapshot: tuple[object, ...] | None = None  # the last JobSnapshotEvent's content
        self.unreadable_frames = 0
        self.catch_ups = 0

    @property
    def caught_up(self) -> bool:
        """No unreadable frame waits for a catch-up over REST, and none is running."""
        return not self._stale and not self._catching_up

    def __repr__(self) -> str:
        return f"JobSocket(job={self.job_id}, last_seen_id={self.last_seen_id}, live={self._live})"

    # ----- public ---------------------------------------------------------------------------------
    def __aiter__(self) -> AsyncIterator[Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"job-socket-{self.job_id}")
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            yield item  # type: ignore[misc]

    async def send_chat(self, text: str) -> None:
        """Send a chat now if live, else queue it (a `ChatQueued` event tells the reader)."""
        if self._live and self._ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._send(self._ws, text)
                return
        self._outbox.append(text)
        self._queue.put_nowait(ChatQueued(text))

    async def close(self) -> None:
        """End the stream promptly; the iterator finishes."""
        self._closing.set()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._queue.put_nowait(_END)

    # ----- the connection loop ------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            while not self._closing.is_set():
                if self.attempt == 0:
                    self._emit(ConnectionEvent("connecting"))
                try:
                    await self._session()
                except _Retry as retry:
                    if retry.refresh:
                        await self._refresh()
                    self.attempt += 1
                    self._emit(ConnectionEvent("reconnecting", self.attempt, retry.detail))
                    await self._pause()
        except _Stop as stop:
            self._emit(stop.event)
            if not isinstance(stop.event, ConnectionEvent):
                self._emit(ConnectionEvent("closed", self.attempt, "The job is gone."))
        except Exception as err:  # noqa: BLE001 - the stream ends in words, never with a traceback
            log.exception("job socket failed")
            detail = f"Live updates stopped: {err}".splitlines()[0]
            self._emit(ConnectionEvent("closed", self.attempt, detail))
        finally:
            self._live = False
            self._queue.put_nowait(_END)

    async def _session(self) -> None:
        """One connection: connect, authenticate, re-sync, then read frames until it drops."""
        ws = await self._connect()
        self._ws = ws
        try:
            early = await self._subscribed(ws)
            await self._resync()
            for raw in early:
                self._on_frame(raw)
            self._live = True
            self.attempt = 0
            self._emit(ConnectionEvent("live"))
            await self._flush_outbox(ws)
            await self._read(ws)
        except ConnectionClosed as err:
            frame = err.rcvd
            raise self._closed(frame.code if frame else None, frame.reason if frame else "") from None
        finally:
            self._live = False
            self._ws = None
            self._stale = False  # the next session's re-sync covers what was pending or held
            self._held.clear()
            with contextlib.suppress(Exception):
                await ws.close()

    async def _connect(self) -> ClientConnection:
        try:
            token = await self.client.access_token()
        except AuthRequired as err:
            raise _Stop(ConnectionEvent("closed", self.attempt, err.message)) from None
        except ServiceError as err:
            raise _Retry(err.message) from None
        url = self.client.ws_url(self.job_id)
        try:
            ws = await connect(url, proxy=None, open_timeout=10, max_size=4 * 2**20, max_queue=1024)
            await ws.send(json.dumps({"kind": "auth", "token": token}))
        except InvalidURI as err:
            raise _Stop(ConnectionEvent("closed", self.attempt, f"Bad socket address: {err}")) from None
        except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as err:
            raise _Retry(f"Cannot open the live connection ({type(err).__name__}).") from None
        return ws

    async def _subscribed(self, ws: ClientConnection) -> list[str | bytes]:
        """Ping right after `auth` and wait for the reply, keeping frames that come first.

        The server handles a socket's frames in order, so once the ping is answered it has joined this
        socket to the job's group: a message created after the REST re-sync that follows cannot be missed
        (without this wait, one created between the re-sync and the join was lost). A server that never
        answers costs `PONG_WAIT` seconds and nothing else."""
        await ws.send(json.dumps({"kind": "ping"}))
        early: list[str | bytes] = []
        try:
            async with asyncio.timeout(PONG_WAIT):
                async for raw in ws:
                    if is_reply(raw):
                        return early
                    early.append(raw)
        except TimeoutError:
            log.info("job %s: no answer to ping in %ss; re-syncing anyway", self.job_id, PONG_WAIT)
        return early

    async def _read(self, ws: ClientConnection) -> None:
        """Frames until the connection closes (`ConnectionClosed`), catching up when stale and due."""
        loop = asyncio.get_running_loop()
        while True:
            if not self._stale:
                self._on_frame(await ws.recv())
                continue
            wait = self._next_catch_up - loop.time()
            if wait <= 0:
                await self._catch_up()
                continue
            try:
                async with asyncio.timeout(wait):
                    raw = await ws.recv()  # cancelling recv() loses nothing
            except TimeoutError:
                continue
            self._on_frame(raw)

    def _on_frame(self, raw: str | bytes) -> None:
        event = translate_frame(raw, self.job_id)
        if isinstance(event, WarningEvent):
            if not is_reply(raw):  # a late pong is not news
                self._unreadable(event)
        elif self._stale and getattr(event, "message_id", None) is not None:
            self._held.append(event)
        else:
            self._deliver(event)

    def _unreadable(self, warning: WarningEvent) -> None:
        self._stale = True
        self.unreadable_frames += 1
        if self.unreadable_frames == 1:
            log.warning("job %s: %s (%s %r)", self.job_id, FALLBACK_HINT, warning.text, warning.raw[:120])
            self._emit(ApiFallbackEvent(self.job_id))
        else:
            log.debug("job %s: %s", self.job_id, warning.text)

    async def _resync(self) -> None:
        messages = await self._rest(self.client.list_messages(self.job_id, after=self.last_seen_id))
        self._deliver_messages(messages)
        self._outbox[:0] = self._unconfirmed  # sent before the drop and never echoed: send again
        self._unconfirmed.clear()

    async def _catch_up(self) -> None:
        """After unreadable frames: the messages after the last seen id, the job, then the held frames."""
        self._stale, self._catching_up = False, True
        self.catch_ups += 1
        try:
            messages = await self._rest(self.client.list_messages(self.job_id, after=self.last_seen_id))
            job = await self._rest(self.client.get_job(self.job_id))
        finally:
            self._catching_up = False
            self._next_catch_up = asyncio.get_running_loop().time() + CATCH_UP_GAP
        self._deliver_messages(messages)
        snapshot = shown(job)
        if snapshot != self._snapshot:
            self._snapshot = snapshot
            self._emit(JobSnapshotEvent(job))
        held, self._held = self._held, []
        for event in held:
            self._deliver(event)

    async def _rest(self, call: Awaitable[T]) -> T:
        """A REST call of a re-sync, its errors mapped onto the connection loop's."""
        try:
            return await call
        except NotFound:
            raise _Stop(JobGoneEvent(self.job_id)) from None
        except AuthRequired as err:
            raise _Stop(ConnectionEvent("closed", self.attempt, err.message)) from None
        except ServiceError as err:
            raise _Retry(err.message) from None

    def _deliver_messages(self, messages: list[JobMessage]) -> None:
        for message in sorted(messages, key=lambda m: m.id):
            event = event_from_message(message)
            if isinstance(event, WarningEvent):  # a kind we do not show: skip it for good
                log.debug("job %s: %s", self.job_id, event.text)
                self.last_seen_id = max(self.last_seen_id, message.id)
            else:
                self._deliver(event)

    def _closed(self, code: int | None, reason: str) -> Exception:
        if self._closing.is_set():
            return _Stop(ConnectionEvent("closed", self.attempt, "Closed."))
        if code == CLOSE_GONE:
            return _Stop(JobGoneEvent(self.job_id))
        if code == CLOSE_AUTH:
            return _Retry("The server asked to log in again.", refresh=True)
        why = f"{code or 'no close code'}{': ' + reason if reason else ''}"
        return _Retry(f"The live connection dropped ({why}).")

    async def _refresh(self) -> None:
        try:
            await self.client.refresh()
        except AuthRequired as err:
            raise _Stop(ConnectionEvent("closed", self.attempt, err.message)) from None
        except ServiceError:
            pass  # unreachable right now: the next attempt will tell

    async def _pause(self) -> None:
        low, high = self.backoff
        delay = min(high, low * 2 ** min(self.attempt - 1, 16)) * random.uniform(0.5, 1.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=delay)

    # ----- delivery and chats -------------------------------------------------------------------
    def _emit(self, event: Event) -> None:
        self._queue.put_nowait(event)

    def _deliver(self, event: Event) -> None:
        """Deliver an event unless its message id was delivered already; track chat echoes."""
        message_id = getattr(event, "message_id", None)
        if message_id is not None:
            if message_id <= self.last_seen_id:
                return
            self.last_seen_id = message_id
        if isinstance(event, ChatEvent) and event.role == "user" and event.text in self._unconfirmed:
            self._unconfirmed.remove(event.text)
        elif isinstance(event, ErrorEvent) and message_id is None and event.code in REJECTED_CHAT_CODES:
            if self._unconfirmed:
                self._unconfirmed.pop(0)  # the server refused it: it must not be sent again
        self._emit(event)

    async def _send(self, ws: ClientConnection, text: str) -> None:
        self._unconfirmed.append(text)
        try:
            await ws.send(json.dumps({"kind": "chat", "text": text}))
        except ConnectionClosed:
            self._unconfirmed.remove(text)
            raise

    async def _flush_outbox(self, ws: ClientConnection) -> None:
        while self._outbox:
            await self._send(ws, self._outbox[0])
            self._outbox.pop(0)
