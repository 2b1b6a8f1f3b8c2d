"""The in-memory channel layer, minus its silent frame loss.

Channels' `InMemoryChannelLayer` drops a frame when a socket's queue is full (a slow reader) and drops old
frames after `expiry` seconds, and the socket never learns. Here either case empties the queue, takes the
socket out of its groups and leaves it one `channel.overflowed` message: the consumer closes it with 1013,
and the client reconnects and re-syncs the missed messages from REST. A gap is never silent.

A group send also puts the event on each member's queue directly: Channels' starts a task and deep-copies
the event per member, which at 1,000 sockets on one job was most of a frame's fan-out cost. Events here are
flat dicts of immutable values (a frame is pre-encoded text), so each queue gets a shallow copy. And the
sweep for expired messages and groups, which Channels runs on every send and every receive (so every socket
scanned every socket for every frame), runs at most once every CLEAN_INTERVAL seconds.

A socket's consumer in this process may `attach` its outbox (server/jobs/outbox.py) for some event types:
a group send then hands such an event to the outbox right away, from the sending task, instead of through
the socket's queue and a task step per socket; a full outbox (or one stalled past the expiry) is
overflowed like a full queue. Other layers (channels_redis, several processes) have no `attach` and
deliver every event through the consumer as usual.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

log = logging.getLogger(__name__)
OVERFLOWED = {"type": "channel.overflowed"}
CLEAN_INTERVAL = 1.0  # seconds; messages expire after an hour, groups after a day


class Outbox(Protocol):
    """What a socket attaches (server.jobs.outbox.Outbox)."""

    def push(self, event: dict, expires: float) -> bool: ...  # False: full
    def expired(self, now: float) -> bool: ...
    def drop(self) -> int: ...


class ClosingInMemoryChannelLayer(InMemoryChannelLayer):
    def __init__(self, expiry: int = 3600, **kwargs: Any) -> None:
        super().__init__(expiry=expiry, **kwargs)
        self._next_clean = 0.0
        self.outboxes: dict[str, tuple[Outbox, frozenset[str]]] = {}

    def attach(self, channel: str, outbox: Outbox, types: frozenset[str]) -> None:
        """Group events of `types` for `channel` go to `outbox` directly, in the order they are sent."""
        self.outboxes[channel] = (outbox, types)

    def detach(self, channel: str) -> None:
        self.outboxes.pop(channel, None)

    async def send(self, channel: str, message: dict) -> None:
        try:
            await super().send(channel, message)
        except ChannelFull:
            self._overflow(channel)

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        expires = time.time() + self.expiry
        kind, outboxes = message.get("type"), self.outboxes
        for channel in list(self.groups.get(group, {})):
            direct = outboxes.get(channel)
            if direct is not None and kind in direct[1]:
                if not direct[0].push(message, expires):
                    self._overflow(channel)
                continue
            queue = self._queue(channel)
            try:
                queue.put_nowait((expires, dict(message)))
            except asyncio.QueueFull:
                self._overflow(channel)

    async def receive(self, channel: str) -> Any:
        """Channels' receive, except that the channel keeps its queue while empty (the sweep drops it once
        nothing waits on it) rather than a new queue being made for every message."""
        self.require_valid_channel_name(channel)
        self._clean_expired()
        _, message = await self._queue(channel).get()
        return message

    def _queue(self, channel: str) -> asyncio.Queue:
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    def _overflow(self, channel: str) -> None:
        direct = self.outboxes.pop(channel, None)
        dropped = direct[0].drop() if direct is not None else 0
        queue = self.channels.get(channel)
        if queue is None:
            return
        if queue.qsize() == 1 and queue._queue[0][1] == OVERFLOWED:  # type: ignore[attr-defined]
            return  # already told
        dropped += queue.qsize()
        while not queue.empty():
            queue.get_nowait()
        self._remove_from_groups(channel)
        queue.put_nowait((time.time() + self.expiry, dict(OVERFLOWED)))
        log.warning("socket %s fell %s frames behind: closing it so the client re-syncs", channel, dropped)

    def _clean_expired(self) -> None:
        now = time.time()
        if now < self._next_clean:
            return
        self._next_clean = now + CLEAN_INTERVAL
        for channel, queue in list(self.channels.items()):
            if not queue.empty() and queue._queue[0][0] < now:  # type: ignore[attr-defined]
                self._overflow(channel)
        for channel, (outbox, _) in list(self.outboxes.items()):
            if outbox.expired(now):
                self._overflow(channel)
        super()._clean_expired()  # groups only: no queue head is expired any more
        for channel, queue in list(self.channels.items()):
            if queue.empty() and not queue._getters:  # a closed socket's: nothing waits on it
                del self.channels[channel]



