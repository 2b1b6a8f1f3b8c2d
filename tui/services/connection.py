"""The connection state the TUI shows (service layer: no Textual)."""

from __future__ import annotations

from enum import StrEnum


class ConnectionState(StrEnum):
    """Whether the server answers: a `str`, so it compares equal to the plain words older code used."""

    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"

    @classmethod
    def of(cls, state: str) -> ConnectionState:
        """A socket's state word ("live", "reconnecting", "closed", ...) as a connection state."""
        try:
            return cls(state)
        except ValueError:
            return cls.OFFLINE
