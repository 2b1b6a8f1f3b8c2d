"""The only layer of the TUI that talks to the network. Screens import from here (see docs/services.md)."""

from tui.services.client import ApiClient
from tui.services.connection import ConnectionState
from tui.services.dialects import event_from_message, translate_frame
from tui.services.errors import (
    AuthRequired,
    Conflict,
    Forbidden,
    NotFound,
    ServerError,
    ServerUnavailable,
    ServiceError,
    ValidationFailed,
)
from tui.services.events import (
    ApiFallbackEvent,
    AppReadyEvent,
    ChatEvent,
    ChatQueued,
    ConnectionEvent,
    ErrorEvent,
    Event,
    JobEvent,
    JobGoneEvent,
    JobSnapshotEvent,
    PrdEvent,
    StatusEvent,
    StepEvent,
    WarningEvent,
)
from tui.services.job_updates import apply_event, settled
from tui.services.models import (
    App,
    AppFile,
    AppSummary,
    Architecture,
    Component,
    Job,
    JobMessage,
    JobPage,
    Link,
    ServerInfo,
    Session,
    Stage,
    User,
)
from tui.services.socket import JobSocket
from tui.services.tokens import TokenStore

__all__ = [
    "ApiClient", "ApiFallbackEvent", "App", "AppFile", "AppReadyEvent", "AppSummary", "Architecture",
    "AuthRequired", "ChatEvent", "ChatQueued", "Component", "Conflict", "ConnectionEvent", "ConnectionState",
    "ErrorEvent",
    "Event", "Forbidden", "Job", "JobEvent", "JobGoneEvent", "JobMessage", "JobPage", "JobSnapshotEvent",
    "JobSocket", "Link", "NotFound", "PrdEvent", "ServerError", "ServerInfo", "ServerUnavailable",
    "ServiceError", "Session", "Stage", "StatusEvent", "StepEvent", "TokenStore", "User", "ValidationFailed",
    "WarningEvent", "apply_event", "settled", "event_from_message", "translate_frame",
]
