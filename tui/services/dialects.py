"""Socket frames of both dialects, and REST messages, translated into one set of events.

Documented frames carry `kind` (`chat`, `status`, `step`, `app`, `error`); legacy frames carry `type`
(`agentDialogue`, `jobStatus`, `stageUpdate`, `prdReady`, `error`). See docs/protocol.md. Nothing here raises
on bad input: a malformed or unknown frame becomes a `WarningEvent`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from tui.services.events import (
    AppReadyEvent,
    ChatEvent,
    ErrorEvent,
    Event,
    PrdEvent,
    StatusEvent,
    StepEvent,
    WarningEvent,
)
from tui.services.models import JobMessage

MAX_FRAME_CHARS = 2_000_000
RAW_EXCERPT = 200


class _Malformed(Exception):
    """A frame field is missing or has the wrong type."""


class _Fields:
    """Typed access to one frame's fields; `_Malformed` on anything unexpected."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Malformed(f"'{key}' should be an integer")
        return value

    def opt_integer(self, key: str) -> int | None:
        return None if self.data.get(key) is None else self.integer(key)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None and default is not None:
            return default
        if not isinstance(value, str):
            raise _Malformed(f"'{key}' should be a string")
        return value

    def when(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if not isinstance(value, str):
            return None
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None

    def progress(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Malformed(f"'{key}' should be a number")
        return max(0, min(100, int(value)))


def _documented(kind: str, f: _Fields) -> Event:
    if kind == "error":
        return ErrorEvent(f.opt_integer("id"), f.opt_integer("job_id"), f.text("code", "error"),
                          f.text("text", ""))
    if kind not in ("chat", "status", "step", "app"):
        raise KeyError(kind)
    ids = f.integer("id"), f.integer("job_id")
    if kind == "chat":
        return ChatEvent(*ids, f.text("role", "agent"), f.text("text"), f.when("created_at"))
    if kind == "step":
        return StepEvent(*ids, f.text("stage"), f.text("stage_status", "running"), f.progress("progress"),
                         f.text("text", ""))
    if kind == "app":
        return AppReadyEvent(*ids, f.integer("app_id"), f.text("name", ""), f.text("preview_url", ""))
    if f.data.get("prd") is not None:
        return PrdEvent(*ids, f.text("prd"))
    return StatusEvent(*ids, f.text("status"), f.text("text", ""))


def _legacy(kind: str, f: _Fields) -> Event:
    if kind == "error":
        return ErrorEvent(f.opt_integer("messageId"), f.opt_integer("jobId"), f.text("code", "error"),
                          f.text("message", ""))
    if kind not in ("agentDialogue", "jobStatus", "stageUpdate", "prdReady"):
        raise KeyError(kind)
    ids = f.integer("messageId"), f.integer("jobId")
    if kind == "agentDialogue":
        return ChatEvent(*ids, f.text("role", "agent"), f.text("message"), f.when("timestamp"))
    if kind == "stageUpdate":
        return StepEvent(*ids, f.text("stage"), f.text("state", "running"), f.progress("progress"),
                         f.text("message", ""))
    if kind == "prdReady":
        return PrdEvent(*ids, f.text("prd"))
    if f.data.get("appId") is not None:
        return AppReadyEvent(*ids, f.integer("appId"), f.text("appName", ""), f.text("previewUrl", ""))
    return StatusEvent(*ids, f.text("status"), f.text("message", ""))


def _excerpt(raw: Any) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    return text[:RAW_EXCERPT]


def _decode(raw: str | bytes | Mapping[str, Any]) -> Mapping[str, Any] | WarningEvent:
    if isinstance(raw, Mapping):
        return raw
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return WarningEvent("Ignored a frame that is not UTF-8 text.", _excerpt(raw))
    if not isinstance(raw, str):
        return WarningEvent("Ignored a frame of an unexpected type.", _excerpt(raw))
    if len(raw) > MAX_FRAME_CHARS:
        return WarningEvent(f"Ignored an oversized frame ({len(raw):,} characters).", raw[:RAW_EXCERPT])
    try:
        data = json.loads(raw)
    except ValueError:
        return WarningEvent("Ignored a frame that is not valid JSON.", raw[:RAW_EXCERPT])
    if not isinstance(data, dict):
        return WarningEvent("Ignored a frame that is not a JSON object.", raw[:RAW_EXCERPT])
    return data


def translate_frame(raw: str | bytes | Mapping[str, Any]) -> Event:
    """One socket frame (text, bytes or an already parsed object) as an event; never raises."""
    data = _decode(raw)
    if isinstance(data, WarningEvent):
        return data
    if isinstance(data.get("kind"), str):
        kind, translate = data["kind"], _documented
    elif isinstance(data.get("type"), str):
        kind, translate = data["type"], _legacy
    else:
        return WarningEvent("Ignored a frame with no kind.", _excerpt(raw))
    return _translate(kind, translate, data, raw)


def _translate(kind: str, translate: Callable[[str, _Fields], Event], data: Mapping[str, Any],
               raw: Any) -> Event:
    try:
        return translate(kind, _Fields(data))
    except KeyError:
        return WarningEvent(f"Ignored a frame of unknown kind '{kind[:40]}'.", _excerpt(raw))
    except _Malformed as err:
        return WarningEvent(f"Ignored a malformed '{kind[:40]}' frame: {err}.", _excerpt(raw))


def event_from_message(message: JobMessage) -> Event:
    """A REST job message as the event its socket frame would have been."""
    frame: dict[str, Any] = {**message.data, "kind": message.kind, "id": message.id, "job_id": message.job,
                             "role": message.role, "text": message.content,
                             "created_at": message.created_at.isoformat() if message.created_at else None}
    if message.kind == "prd":
        frame.update(kind="status", status="prd", prd=message.data.get("prd", message.content))
    elif message.kind == "status":
        frame["prd"] = None
    return _translate(frame["kind"], _documented, frame, message.model_dump_json())
