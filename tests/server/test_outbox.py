"""A socket's outbox and the in-process layer handing job frames to it: frames go out in order, at once when
the socket takes them, behind a stalled send otherwise; the consumer's own sends wait behind pushed frames;
a full or stalled outbox is closed for a re-sync like a full channel queue; other events use the queue."""

from __future__ import annotations

import asyncio
from typing import Any

from server.jobs.layer import OVERFLOWED, ClosingInMemoryChannelLayer
from server.jobs.outbox import Outbox
from tests.support.waits import until

FRAMES = frozenset({"job.frame"})
LATER = 1e12  # an expiry that never comes


class Wire:
    """A fake ASGI `send`: done at once while `open` is set, waiting otherwise (a transport that is paused
    because the client reads slowly); `fail` makes the next send raise (the client went away)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.open = asyncio.Event()
        self.open.set()
        self.fail: Exception | None = None
        self.loops: list[asyncio.AbstractEventLoop] = []  # where each send ran

    async def send(self, message: dict[str, Any]) -> None:
        self.loops.append(asyncio.get_running_loop())
        await self.open.wait()
        if self.fail is not None:
            raise self.fail
        self.sent.append(message.get("text") or message["type"])


def frame(text: str) -> dict[str, str]:
    return {"type": "job.frame", "text": text}


async def idle() -> None:
    """Let every ready callback run, so that what did NOT happen can be asserted (no clock involved)."""
    for _ in range(50):
        await asyncio.sleep(0)


async def test_frames_to_a_socket_that_takes_them_are_sent_during_the_push_in_order() -> None:
    wire = Wire()
    outbox = Outbox(wire.send, capacity=10)
    for text in ("a", "b", "c"):
        assert outbox.push(frame(text), LATER)
    assert wire.sent == ["a", "b", "c"]  # no task, no await: sent by the pushing task itself
    await outbox.send({"type": "websocket.send", "text": "pong"})
    assert wire.sent == ["a", "b", "c", "pong"]


async def test_behind_a_stalled_send_frames_queue_in_order_and_own_sends_wait_for_them() -> None:
    wire = Wire()
    outbox = Outbox(wire.send, capacity=10)
    wire.open.clear()
    for text in ("a", "b", "c"):
        assert outbox.push(frame(text), LATER)
    pong = asyncio.ensure_future(outbox.send({"type": "websocket.send", "text": "pong"}))
    await idle()
    assert wire.sent == [] and not pong.done()
    wire.open.set()
    await asyncio.wait_for(pong, 10)
    assert wire.sent == ["a", "b", "c", "pong"]
    assert outbox.push(frame("d"), LATER) and wire.sent[-1] == "d"  # writable again: sent at once


async def test_an_outbox_refuses_a_frame_when_capacity_frames_already_wait() -> None:
    wire = Wire()
    outbox = Outbox(wire.send, capacity=2)
    wire.open.clear()
    assert outbox.push(frame("in flight"), LATER)
    assert outbox.push(frame("1"), LATER) and outbox.push(frame("2"), LATER)
    assert not outbox.push(frame("3"), LATER)
    assert outbox.drop() == 2
    wire.open.set()
    await until(lambda: not outbox.busy, "the send in flight to finish")
    assert wire.sent == ["in flight"]


async def test_close_goes_out_after_earlier_frames_and_later_frames_are_dropped() -> None:
    wire = Wire()
    outbox = Outbox(wire.send, capacity=10)
    wire.open.clear()
    outbox.push(frame("a"), LATER)
    closing = asyncio.ensure_future(outbox.send({"type": "websocket.close", "code": 1013}))
    await idle()
    wire.open.set()
    await asyncio.wait_for(closing, 10)
    outbox.push(frame("after close"), LATER)
    await idle()
    assert wire.sent == ["a", "websocket.close"]


async def test_a_failed_send_drops_the_rest_and_never_blocks_the_consumer() -> None:
    wire = Wire()
    outbox = Outbox(wire.send, capacity=10)
    wire.open.clear()
    outbox.push(frame("a"), LATER)
    outbox.push(frame("b"), LATER)
    wire.fail = ConnectionResetError("gone")
    wire.open.set()
    await until(lambda: not outbox.busy, "the failed send to release the outbox")
    assert outbox.closed and not outbox.pending
    wire.fail = None
    await asyncio.wait_for(outbox.send({"type": "websocket.close"}), 10)
    assert wire.sent == ["websocket.close"]


async def test_a_frame_waiting_past_its_expiry_marks_the_outbox_expired() -> None:
    wire = Wire()
    outbox = Outbox(wire.send, capacity=10)
    wire.open.clear()
    outbox.push(frame("in flight"), 5.0)
    assert not outbox.expired(10.0)  # being sent, not waiting
    outbox.push(frame("waiting"), 5.0)
    assert outbox.expired(10.0) and not outbox.expired(1.0)
    wire.open.set()


async def test_a_push_from_another_loop_is_sent_on_the_sockets_own_loop() -> None:
    wire = Wire()
    outbox = Outbox(wire.send, capacity=10)

    async def elsewhere() -> None:
        assert outbox.push(frame("from a thread"), LATER)

    await asyncio.to_thread(asyncio.run, elsewhere())
    await until(lambda: wire.sent == ["from a thread"], "the frame pushed from another thread")
    assert wire.loops == [asyncio.get_running_loop()]


async def joined_layer(capacity: int) -> tuple[ClosingInMemoryChannelLayer, str, Wire, Outbox]:
    layer = ClosingInMemoryChannelLayer(capacity=capacity)
    channel = await layer.new_channel()
    await layer.group_add("job_1", channel)
    wire = Wire()
    outbox = Outbox(wire.send, capacity=layer.get_capacity(channel))
    layer.attach(channel, outbox, FRAMES)
    return layer, channel, wire, outbox


async def test_group_frames_go_to_the_attached_outbox_and_other_events_through_the_queue() -> None:
    layer, channel, wire, _ = await joined_layer(capacity=10)
    await layer.group_send("job_1", frame("one"))
    await layer.group_send("job_1", {"type": "job.deleted", "job_id": 1})
    assert wire.sent == ["one"]
    assert await asyncio.wait_for(layer.receive(channel), 10) == {"type": "job.deleted", "job_id": 1}
    layer.detach(channel)
    await layer.group_send("job_1", frame("two"))
    assert wire.sent == ["one"]
    assert await asyncio.wait_for(layer.receive(channel), 10) == frame("two")


async def test_a_full_outbox_is_closed_for_a_resync_and_gets_no_more_frames() -> None:
    layer, channel, wire, outbox = await joined_layer(capacity=2)
    receiving = asyncio.ensure_future(layer.receive(channel))  # the consumer always waits on its channel
    await asyncio.sleep(0)
    wire.open.clear()
    for n in range(4):  # one in flight, two waiting, the fourth overflows
        await layer.group_send("job_1", frame(str(n)))
    assert await asyncio.wait_for(receiving, 10) == OVERFLOWED
    assert not outbox.pending and channel not in layer.outboxes
    await layer.group_send("job_1", frame("after"))  # left the group: nothing more, queued or pushed
    wire.open.set()
    await until(lambda: not outbox.busy, "the send in flight to finish")
    assert wire.sent == ["0"]
    assert layer.channels[channel].empty()
