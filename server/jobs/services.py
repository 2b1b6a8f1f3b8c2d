"""Posting messages: persist a JobMessage and broadcast it to the job's socket group.

`message_frame` is the single place where a JobMessage becomes a socket frame, in either dialect.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Job, JobMessage

log = logging.getLogger(__name__)


def iso(dt: datetime) -> str:
    """ISO 8601 in UTC with a `Z` suffix, as DRF renders timestamps."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def group_name(job_id: int) -> str:
    return f"job_{job_id}"


def dialect() -> str:
    return settings.WS_DIALECT


def message_frame(message: JobMessage, dialect_name: str | None = None) -> dict[str, Any]:
    """The server -> client frame for a persisted message (see docs/protocol.md)."""
    kind, d = message.kind, message.data or {}
    base_id, job_id, ts, text = message.pk, message.job_id, iso(message.created_at), message.content
    if (dialect_name or dialect()) == "legacy":
        head = {"messageId": base_id, "jobId": job_id}
        if kind == "chat":
            return {"type": "agentDialogue", **head, "role": message.role, "message": text, "timestamp": ts}
        if kind == "status":
            return {
                "type": "jobStatus",
                **head,
                "status": d.get("status"),
                "message": text,
                "appId": None,
                "timestamp": ts,
            }
        if kind == "step":
            return {
                "type": "stageUpdate",
                **head,
                "stage": d.get("stage"),
                "state": d.get("stage_status"),
                "progress": d.get("progress", 0),
                "message": text,
                "timestamp": ts,
            }
        if kind == "prd":
            return {"type": "prdReady", **head, "prd": d.get("prd", ""), "timestamp": ts}
        if kind == "app":
            return {
                "type": "jobStatus",
                **head,
                "status": "done",
                "message": text,
                "appId": d.get("app_id"),
                "appName": d.get("name", ""),
                "previewUrl": d.get("preview_url", ""),
                "timestamp": ts,
            }
        return {"type": "error", **head, "code": d.get("code", "error"), "message": text, "timestamp": ts}
    head = {"id": base_id, "job_id": job_id}
    if kind == "chat":
        return {"kind": "chat", **head, "role": message.role, "text": text, "created_at": ts}
    if kind == "status":
        return {
            "kind": "status",
            **head,
            "status": d.get("status"),
            "text": text,
            "prd": None,
            "created_at": ts,
        }
    if kind == "prd":
        return {
            "kind": "status",
            **head,
            "status": "prd",
            "text": "PRD ready",
            "prd": d.get("prd", ""),
            "created_at": ts,
        }
    if kind == "step":
        return {
            "kind": "step",
            **head,
            "stage": d.get("stage"),
            "stage_status": d.get("stage_status"),
            "progress": d.get("progress", 0),
            "text": text,
            "created_at": ts,
        }
    if kind == "app":
        return {
            "kind": "app",
            **head,
            "app_id": d.get("app_id"),
            "name": d.get("name", ""),
            "preview_url": d.get("preview_url", ""),
            "text": text,
            "created_at": ts,
        }
    return {"kind": "error", **head, "code": d.get("code", "error"), "text": text, "created_at": ts}


def reply_error_frame(job_id: int | None, code: str, text: str, dialect_name: str | None = None) -> dict:
    """An `error` frame answering one bad client frame: not persisted, id null."""
    ts = iso(timezone.now())
    if (dialect_name or dialect()) == "legacy":
        return {
            "type": "error",
            "messageId": None,
            "jobId": job_id,
            "code": code,
            "message": text,
            "timestamp": ts,
        }
    return {"kind": "error", "id": None, "job_id": job_id, "code": code, "text": text, "created_at": ts}


def _group_send(job_id: int, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(job_id), event)
    except Exception:  # a broadcast must never undo a persisted change
        log.exception("broadcast to job %s failed", job_id)


def frame_event(message: JobMessage) -> dict[str, Any]:
    """The group event carrying a message's frame, encoded once for every socket on the job."""
    return {"type": "job.frame", "text": json.dumps(message_frame(message))}


def broadcast(message: JobMessage) -> None:
    _group_send(message.job_id, frame_event(message))


def broadcast_job_deleted(job_id: int) -> None:
    """Tells every socket on the job to close with 4404."""
    _group_send(job_id, {"type": "job.deleted", "job_id": job_id})


def post_message(
    job: Job, kind: str, role: str, content: str, data: dict[str, Any] | None = None, *, notify: bool = True
) -> JobMessage:
    """Persist a message and broadcast it once the surrounding transaction commits."""
    message = JobMessage.objects.create(job=job, kind=kind, role=role, content=content, data=data or {})
    if notify:
        transaction.on_commit(lambda: broadcast(message))
    return message
