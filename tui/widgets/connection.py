"""Connection indicator: a one-line label driven by the app's `connection_state` (a ConnectionState).

`show_fallback(hint)` marks a live connection whose frames are not all understood (the job is followed
through the API as well): the label says "via API" and the tooltip says why, once, without a toast.
"""

from __future__ import annotations

from textual.widgets import Static

from tui.protocols import ScreenHost
from tui.services import ServerUnavailable, ServiceError
from tui.services.connection import ConnectionState

LABELS: dict[str, str] = {
    ConnectionState.LIVE: "● live",
    ConnectionState.CONNECTING: "◌ connecting…",
    ConnectionState.RECONNECTING: "↻ reconnecting…",
    ConnectionState.OFFLINE: "○ offline",
}
STATES = tuple(ConnectionState)
FALLBACK_LABEL = "● live via API"


def label_for(state: str) -> str:
    return LABELS.get(state, state)


class ConnectionIndicator(Static):
    """Shows the app's connection state; restyles itself whenever the app's reactive changes."""

    DEFAULT_CSS = """
    ConnectionIndicator { width: auto; padding: 0 1; color: $text-muted; }
    ConnectionIndicator.-live { color: $success; }
    ConnectionIndicator.-connecting, ConnectionIndicator.-reconnecting { color: $warning; }
    ConnectionIndicator.-offline { color: $error; }
    ConnectionIndicator.-live.-fallback { color: $warning; }
    """

    def __init__(self, state: str = ConnectionState.OFFLINE, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(label_for(state), id=id)
        self.state = state
        self.fallback = ""

    def on_mount(self) -> None:
        if isinstance(self.app, ScreenHost):
            self.watch(self.app, "connection_state", self.show_state, init=True)
        else:
            self.show_state(self.state)

    def show_state(self, state: str) -> None:
        self.state = state
        fallback = bool(self.fallback) and state == ConnectionState.LIVE
        self.update(FALLBACK_LABEL if fallback else label_for(state))
        self.tooltip = self.fallback if fallback else None
        for name in STATES:
            self.set_class(name == state, f"-{name}")
        self.set_class(fallback, "-fallback")

    def show_fallback(self, hint: str) -> None:
        """This server's frames are not all understood: say so next to the state (the tooltip says why)."""
        self.fallback = hint
        self.show_state(self.state)


def unreachable(url: str, err: ServiceError) -> str:
    """'Server unreachable at URL (cause)', or 'did not answer in time', from the error's reason."""
    detail = err.detail if isinstance(err, ServerUnavailable) else None
    if detail is None:
        return f"Server unreachable at {url}: {err.message.rstrip('.')}"
    if isinstance(err, ServerUnavailable) and err.reason == "timeout":
        return f"Server at {url} did not answer in time ({detail})"
    return f"Server unreachable at {url} ({detail})"
