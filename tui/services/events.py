"""One set of job events for both socket dialects and for REST re-sync (see docs/services.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tui.services.models import Job

ConnectionState = Literal["connecting", "live", "reconnecting", "closed"]


@dataclass(frozen=True)
class JobEvent:
    """An event that is a persisted job message (has a message id)."""

    message_id: int
    job_id: int


@dataclass(frozen=True)
class ChatEvent(JobEvent):
    role: str
    text: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class StatusEvent(JobEvent):
    status: str
    text: str = ""


@dataclass(frozen=True)
class PrdEvent(JobEvent):
    prd: str


@dataclass(frozen=True)
class StepEvent(JobEvent):
    stage: str
    stage_status: str
    progress: int
    text: str = ""


@dataclass(frozen=True)
class AppReadyEvent(JobEvent):
    app_id: int
    name: str = ""
    preview_url: str = ""


@dataclass(frozen=True)
class ErrorEvent:
    """An error from the server; `message_id` is None for a reply to one bad client frame."""

    message_id: int | None
    job_id: int | None
    code: str
    text: str


@dataclass(frozen=True)
class WarningEvent:
    """A frame that cannot be read (`translate_frame`): `JobSocket` re-syncs over REST instead of passing
    it on."""

    text: str
    raw: str = ""


FALLBACK_HINT = "This server's live frames are not fully understood; following it through the API."


@dataclass(frozen=True)
class ApiFallbackEvent:
    """Once per socket, at the first frame it cannot read: from then on unreadable frames are answered by a
    REST re-sync. Show `text` quietly (a log line, the connection indicator), never as a toast per frame."""

    job_id: int
    text: str = FALLBACK_HINT


@dataclass(frozen=True)
class JobSnapshotEvent:
    """The job as the REST API has it, fetched by a re-sync that unreadable frames triggered (status,
    stages, PRD and app for a server whose frames do not say them in words we read)."""

    job: Job


@dataclass(frozen=True)
class ConnectionEvent:
    state: ConnectionState
    attempt: int = 0
    detail: str = ""


@dataclass(frozen=True)
class JobGoneEvent:
    """The job was deleted (or is not ours): the socket iterator ends after this."""

    job_id: int


@dataclass(frozen=True)
class ChatQueued:
    """A chat typed while disconnected: held and sent on reconnect."""

    text: str


Event = (ChatEvent | StatusEvent | PrdEvent | StepEvent | AppReadyEvent | ErrorEvent | WarningEvent
         | ConnectionEvent | JobGoneEvent | ChatQueued | ApiFallbackEvent | JobSnapshotEvent)
