"""Typed service errors: each carries a one-line human message, never a token or a traceback."""

from __future__ import annotations

from typing import Literal

# Why a server could not be reached, for code that must not parse the words (the connection indicator).
UnreachableReason = Literal["refused", "dns", "timeout", "tls", "http", "invalid", "other"]


class ServiceError(Exception):
    """Base of every error the service layer raises."""

    default_message = "Something went wrong talking to the server."

    def __init__(self, message: str | None = None) -> None:
        text = (message or "").strip()
        self.message = text.splitlines()[0] if text else self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class AuthRequired(ServiceError):
    default_message = "Your session has ended: please log in again."


class Forbidden(ServiceError):
    default_message = "You are not allowed to do that."


class NotFound(ServiceError):
    default_message = "Not found: it may have been deleted."


class Conflict(ServiceError):
    default_message = "That cannot be done in the current state."


class ValidationFailed(ServiceError):
    """400 from the server; `fields` keeps the server's per-field messages."""

    default_message = "The server rejected the input."

    def __init__(self, message: str | None = None, fields: dict[str, list[str]] | None = None) -> None:
        self.fields = fields or {}
        if message is None and self.fields:
            message = "; ".join(
                f"{name}: {' '.join(msgs)}" if name not in ("detail", "non_field_errors") else " ".join(msgs)
                for name, msgs in self.fields.items()
            )
        super().__init__(message)


class ServerError(ServiceError):
    """5xx, an HTML error page, or a body that is not the JSON we expect."""

    default_message = "The server had an internal error."

    def __init__(self, message: str | None = None, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class ServerUnavailable(ServiceError):
    """Connection refused, DNS failure, timeout: the server could not be reached.

    `reason` says which, for code; `detail` is the short cause in words ("connection refused", "timed out
    after 10s (connecting)"), or None when the message alone says it.
    """

    default_message = "The server could not be reached."

    def __init__(self, message: str | None = None, reason: UnreachableReason = "other",
                 detail: str | None = None) -> None:
        self.reason: UnreachableReason = reason
        self.detail = detail
        super().__init__(message)


class TooManyAttempts(ServiceError):
    """429: the server throttles this client (login, register, refresh); `retry_after` in whole seconds."""

    default_message = "Too many attempts, try again later."

    def __init__(self, retry_after: int | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(None if retry_after is None else f"Too many attempts, try again in {retry_after} s.")


class SessionFileUnreadable(ServiceError):
    """The saved session file could not be read; it was set aside so the next login can write a new one."""

    default_message = "The saved session could not be read: please log in again."
