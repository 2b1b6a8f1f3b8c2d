"""Load generator for benchmarks (only when ALLOW_FLOOD is on): `rate` agent chats a second for `seconds`.

Each message is persisted like any other frame (increasing ids, REST re-sync sees it) and broadcast through
the same channel group as the pipeline's, so a client is measured on the real path. Its `created_at` is the
send time a client measures latency from.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import DatabaseError

from .models import Job, JobMessage
from .services import frame_event, group_name

log = logging.getLogger(__name__)


def _create_batch(job_id: int, first: int, last: int, total: int) -> list[JobMessage] | None:
    """Messages first+1..last of the flood, or None when the job is gone."""
    if not Job.objects.filter(pk=job_id).exists():
        return None
    batch = [JobMessage(job_id=job_id, kind="chat", role="agent", content=f"flood {n}/{total}")
             for n in range(first + 1, last + 1)]
    return JobMessage.objects.bulk_create(batch)


async def run_flood(job_id: int, rate: int, seconds: float) -> int:
    """Send the flood on the current loop, paced against the clock; returns how many were sent."""
    create = database_sync_to_async(_create_batch)
    layer = get_channel_layer()
    loop = asyncio.get_running_loop()
    total, sent, start = int(rate * seconds), 0, loop.time()
    while sent < total:
        due = min(total, int((loop.time() - start) * rate) + 1)
        if due > sent:
            try:
                messages = await create(job_id, sent, due, total)
            except DatabaseError:  # deleted between the check and the insert
                messages = None
            if messages is None:
                break
            for message in messages:
                await layer.group_send(group_name(job_id), frame_event(message))
            sent = due
        await asyncio.sleep(0.001)
    log.info("flood on job %s: %s messages in %.2fs", job_id, sent, loop.time() - start)
    return sent
