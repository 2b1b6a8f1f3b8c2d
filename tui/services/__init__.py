"""The only layer of the TUI that talks to the network. Screens import from here (see docs/services.md)."""

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
    AppReadyEvent,
    ChatEvent,
    ChatQueued,
    ConnectionEvent,
    ErrorEvent,
    Event,
    JobEvent,
    JobGoneEvent,
    PrdEvent,
    StatusEvent,
    StepEvent,
    WarningEvent,
)
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

__all__ = [
    "App", "AppFile", "AppReadyEvent", "AppSummary", "Architecture", "AuthRequired", "ChatEvent",
    "ChatQueued", "Component", "Conflict", "ConnectionEvent", "ErrorEvent", "Event", "Forbidden", "Job",
    "JobEvent", "JobGoneEvent", "JobMessage", "JobPage", "Link", "NotFound", "PrdEvent", "ServerError",
    "ServerInfo", "ServerUnavailable", "ServiceError", "Session", "Stage", "StatusEvent", "StepEvent",
    "User", "ValidationFailed", "WarningEvent",
]
# JobSocket is added below as it lands (socket.py).

from tui.services.client import ApiClient  # noqa: E402 - after the types it uses
from tui.services.tokens import TokenStore  # noqa: E402

__all__ += ["ApiClient", "TokenStore"]

from tui.services.dialects import event_from_message, translate_frame  # noqa: E402
from tui.services.socket import JobSocket  # noqa: E402

__all__ += ["JobSocket", "event_from_message", "translate_frame"]
