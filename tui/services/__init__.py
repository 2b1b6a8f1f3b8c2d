"""The only layer of the TUI that talks to the network. Screens import from here (see docs/services.md).

The errors and the connection state are imported at once; the rest (client, models, socket: httpx,
pydantic, websockets, about 170 ms) on first use, so the TUI can paint its first frame before loading them.
The records (records.py: the user, the server's info) load alone: the start path never needs pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.services.connection import ConnectionState
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

if TYPE_CHECKING:
    from tui.services.client import ApiClient
    from tui.services.dialects import event_from_message, translate_frame
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
        Stage,
    )
    from tui.services.records import ServerInfo, Session, User
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


RECORDS = ("ServerInfo", "Session", "User")  # pydantic-free (records.py): the start path reads them


def __getattr__(name: str) -> object:
    """Any other name: load the heavy half once (plain imports, no import by string), then it is a global;
    the records alone, without the rest, so a start can use them before pydantic is loaded."""
    if name not in __all__:
        raise AttributeError(f"module 'tui.services' has no attribute {name!r}")
    if name in RECORDS:
        from tui.services import records

        globals().update({key: getattr(records, key) for key in RECORDS})
        return globals()[name]
    from tui.services import client, dialects, events, job_updates, models, records, socket, tokens

    for module in (client, dialects, events, job_updates, models, records, socket, tokens):
        globals().update({key: getattr(module, key) for key in __all__ if hasattr(module, key)})
    return globals()[name]
