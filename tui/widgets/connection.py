"""Connection indicator: a one-line label driven by `app.connection_state` (live/reconnecting/offline)."""

from __future__ import annotations

import re

from textual.widgets import Static

from tui.services import ServiceError

LABELS: dict[str, str] = {
    "live": "● live",
    "connecting": "◌ connecting…",
    "reconnecting": "↻ reconnecting…",
    "offline": "○ offline",
}
STATES = tuple(LABELS)


def label_for(state: str) -> str:
    return LABELS.get(state, state)


class ConnectionIndicator(Static):
    """Shows the app's connection state; restyles itself whenever the app's reactive changes."""

    DEFAULT_CSS = """
    ConnectionIndicator { width: auto; padding: 0 1; color: $text-muted; }
    ConnectionIndicator.-live { color: $success; }
    ConnectionIndicator.-connecting, ConnectionIndicator.-reconnecting { color: $warning; }
    ConnectionIndicator.-offline { color: $error; }
    """

    def __init__(self, state: str = "offline", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(label_for(state), id=id)
        self.state = state

    def on_mount(self) -> None:
        if hasattr(self.app, "connection_state"):
            self.watch(self.app, "connection_state", self.show_state, init=True)
        else:
            self.show_state(self.state)

    def show_state(self, state: str) -> None:
        self.state = state
        self.update(label_for(state))
        for name in STATES:
            self.set_class(name == state, f"-{name}")


def unreachable(url: str, err: ServiceError) -> str:
    """'Server unreachable at URL (reason)' (or 'did not answer in time'), whatever words the client used."""
    if "timed out" in err.message:
        return f"Server at {url} did not answer in time ({err.message.split(': ', 1)[-1].rstrip('.')})"
    found = re.search(r"\(([^()]*)\)\.?$", err.message)
    if found:
        return f"Server unreachable at {url} ({found.group(1)})"
    return f"Server unreachable at {url}: {err.message.rstrip('.')}"
