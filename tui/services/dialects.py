"""Socket frames and REST messages read by meaning into one set of events (see docs/protocol.md).

A deployed server may not spell its frames the way the reference server does: `kind` or `type` (or `event`),
`agentDialogue` or `agent_dialogue`, camelCase or snake_case keys, fields flat or nested one level under
`data`/`payload`/`message`, ids as numbers or numeric strings, `text`/`content`/`message`, `status`/`state`.
Each field is looked up under every name it goes by. A frame that still cannot be turned into an event (not
JSON, unknown kind, no message id, a required field missing) becomes a `WarningEvent`, which `JobSocket`
answers with a REST re-sync. Nothing here raises, whatever the input (deep nesting, lone surrogates, ...).
"""

from __future__ import annotations

import functools
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
MAX_ID = 2**63 - 1
NESTS = ("data", "payload", "message")  # one level of nesting a frame's fields may sit under
KIND_KEYS = ("kind", "type", "event", "eventtype")
KINDS = {  # a kind's spelling, lower case without separators -> what it means
    "chat": "chat", "agentdialogue": "chat", "dialogue": "chat", "chatmessage": "chat",
    "status": "status", "jobstatus": "status", "statusupdate": "status",
    "step": "step", "stage": "step", "stageupdate": "step", "stepupdate": "step",
    "prd": "prd", "prdready": "prd",
    "app": "app", "appready": "app",
    "error": "error", "joberror": "error",
}
NAMES = {  # a field's meaning -> the key spellings it goes by (lower case, no separators), best first
    "message_id": ("messageid", "msgid", "id"),
    "job_id": ("jobid", "job"),
    "text": ("text", "content", "message", "body"),
    "role": ("role", "sender", "author"),
    "status": ("status", "state", "jobstatus"),
    "stage": ("stage", "stagename", "step"),
    "stage_status": ("stagestatus", "state", "status"),
    "progress": ("progress", "percent", "percentage"),
    "prd": ("prd", "prdmarkdown", "prdtext"),
    "app_id": ("appid", "app"),
    "app_name": ("appname", "name", "title"),
    "preview_url": ("previewurl", "preview", "url", "appurl"),
    "code": ("code", "errorcode"),
    "created_at": ("createdat", "timestamp", "time", "ts"),
}
ROLES = {"assistant": "agent", "ai": "agent", "bot": "agent", "human": "user"}


class _Malformed(Exception):
    """A field the event needs is missing or unreadable."""


@functools.lru_cache(maxsize=1024)
def _key(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def _clean(text: str) -> str:
    """The text, with lone surrogates (valid JSON, not encodable) replaced so nothing downstream trips."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _as_text(value: Any) -> str | None:
    return _clean(value) if isinstance(value, str) else None


def _as_id(value: Any) -> int | None:
    """A positive integer id, given as a JSON integer, an integral float or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 19:
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None


def _as_progress(value: Any) -> int | None:
    if isinstance(value, str):
        try:
            value = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:  # NaN
        return None
    return max(0, min(100, int(value))) if abs(value) < 1e9 else None


class _Fields:
    """One frame's fields by meaning, top level first, then the nested layers."""

    def __init__(self, frame: Mapping[Any, Any], job_id: int | None = None) -> None:
        top = self._layer(frame)
        self.layers = [top]
        for name in NESTS:
            nested = top.get(name)
            if nested is not None and isinstance(nested, Mapping):
                self.layers.append(self._layer(nested))
        self.default_job_id = job_id

    @staticmethod
    def _layer(data: Mapping[Any, Any]) -> dict[str, Any]:
        layer: dict[str, Any] = {}
        for name, value in data.items():
            if isinstance(name, str):
                layer.setdefault(_key(name), value)
        return layer

    def find(self, meaning: str, read: Callable[[Any], Any]) -> Any:
        """The first readable value under any of the meaning's names (None if there is none)."""
        for name in NAMES[meaning]:
            for depth, layer in enumerate(self.layers):
                if name not in layer or (name == "id" and depth and not self._is_message(layer)):
                    continue
                value = read(layer[name])
                if value is not None:
                    return value
        return None

    @staticmethod
    def _is_message(layer: Mapping[str, Any]) -> bool:
        """A bare `id` in a nested object is a message id only next to a job id (else it may be the job's)."""
        return any(name in layer for name in NAMES["job_id"])

    def present(self, meaning: str) -> bool:
        return any(layer.get(name) is not None for name in NAMES[meaning] for layer in self.layers)

    def need(self, meaning: str, read: Callable[[Any], Any]) -> Any:
        value = self.find(meaning, read)
        if value is None:
            raise _Malformed(f"no readable {meaning.replace('_', ' ')}")
        return value

    def text(self, meaning: str, default: str = "") -> str:
        value = self.find(meaning, _as_text)
        return default if value is None else value

    def ids(self) -> tuple[int, int]:
        message_id = self.need("message_id", _as_id)
        job_id = self.find("job_id", _as_id) or self.default_job_id
        if job_id is None:
            raise _Malformed("no readable job id")
        return message_id, job_id

    def when(self) -> datetime | None:
        value = self.find("created_at", _as_text)
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
        except ValueError:
            return None

    def kind(self) -> tuple[str | None, str]:
        """(meaning, as spelled): the first kind we know, else the first one given."""
        spelled = ""
        for layer in self.layers:
            for name in KIND_KEYS:
                value = layer.get(name)
                if isinstance(value, str):
                    meaning = KINDS.get(_key(value))
                    if meaning is not None:
                        return meaning, value
                    spelled = spelled or value
        return None, spelled


def _event(kind: str, f: _Fields) -> Event:
    if kind == "error":
        message_id = f.find("message_id", _as_id)
        if message_id is None and f.present("message_id"):
            raise _Malformed("no readable message id")
        return ErrorEvent(message_id, f.find("job_id", _as_id) or f.default_job_id, f.text("code", "error"),
                          f.text("text"))
    ids = f.ids()
    if kind == "chat":
        role = f.text("role", "agent").lower()
        return ChatEvent(*ids, ROLES.get(role, role), f.need("text", _as_text), f.when())
    if kind == "step":
        return StepEvent(*ids, f.need("stage", _as_text), f.text("stage_status", "running").lower(),
                         f.need("progress", _as_progress), f.text("text"))
    if kind == "prd":
        return PrdEvent(*ids, f.find("prd", _as_text) or f.need("text", _as_text))
    app_id = f.find("app_id", _as_id)
    if kind == "app" or app_id is not None:
        if app_id is None:
            raise _Malformed("no readable app id")
        return AppReadyEvent(*ids, app_id, f.text("app_name"), f.text("preview_url"))
    prd = f.find("prd", _as_text)
    if prd:
        return PrdEvent(*ids, prd)
    return StatusEvent(*ids, f.need("status", _as_text).lower(), f.text("text"))


def _excerpt(raw: Any) -> str:
    try:
        text = raw if isinstance(raw, str) else repr(raw)
    except Exception:  # noqa: BLE001 - e.g. RecursionError on a deeply nested object
        return "<unprintable>"
    return _clean(text[:RAW_EXCERPT])


def _decode(raw: Any) -> Mapping[Any, Any] | WarningEvent:
    if not isinstance(raw, str) and isinstance(raw, Mapping):
        return raw
    if isinstance(raw, bytes | bytearray | memoryview):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return WarningEvent("Ignored a frame that is not UTF-8 text.", _excerpt(bytes(raw)))
    if not isinstance(raw, str):
        return WarningEvent("Ignored a frame of an unexpected type.", _excerpt(raw))
    if len(raw) > MAX_FRAME_CHARS:
        return WarningEvent(f"Ignored an oversized frame ({len(raw):,} characters).", _excerpt(raw))
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return WarningEvent("Ignored a frame that is not valid JSON.", _excerpt(raw))
    if not isinstance(data, dict):
        return WarningEvent("Ignored a frame that is not a JSON object.", _excerpt(raw))
    return data


def _read(kind: str | None, spelled: str, f: _Fields, raw: Any) -> Event:
    if kind is None:
        what = f"of unknown kind '{_clean(spelled[:40])}'" if spelled else "with no kind"
        return WarningEvent(f"Ignored a frame {what}.", _excerpt(raw))
    try:
        return _event(kind, f)
    except _Malformed as err:
        return WarningEvent(f"Ignored a '{_clean(spelled[:40])}' frame: {err}.", _excerpt(raw))


def translate_frame(raw: str | bytes | Mapping[str, Any], job_id: int | None = None) -> Event:
    """One socket frame (text, bytes or parsed) as an event; `job_id` fills in a frame that has none.

    Never raises: what cannot be read is a `WarningEvent`."""
    try:
        data = _decode(raw)
        if isinstance(data, WarningEvent):
            return data
        fields = _Fields(data, job_id)
        return _read(*fields.kind(), fields, raw)
    except Exception:  # noqa: BLE001 - an unreadable frame, whatever went wrong
        return WarningEvent("Ignored a frame that could not be read.", _excerpt(raw))


def event_from_message(message: JobMessage) -> Event:
    """A REST job message as the event its socket frame would have been (`WarningEvent` if unknown)."""
    try:
        when = message.created_at.isoformat() if message.created_at else None
        frame: dict[str, Any] = {**message.data, "id": message.id, "job_id": message.job,
                                 "role": message.role, "text": message.content, "created_at": when}
        return _read(KINDS.get(_key(message.kind)), message.kind, _Fields(frame), frame)
    except Exception:  # noqa: BLE001 - same promise as translate_frame
        return WarningEvent("Ignored a message that could not be read.", f"message {message.id}")
