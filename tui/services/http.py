"""HTTP failures -> typed service errors with one-line human messages (no tokens, no tracebacks)."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from tui.services.errors import (
    AuthRequired,
    Conflict,
    Forbidden,
    NotFound,
    ServerError,
    ServerUnavailable,
    ServiceError,
    TooManyAttempts,
    UnreachableReason,
    ValidationFailed,
)

JWT_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
MAX_DETAIL = 200


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """One line, shortened, with anything token-like removed."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[token]")
    text = JWT_PATTERN.sub("[token]", " ".join(str(text).split()))
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def normalize_url(url: str) -> str:
    """`host:port` -> `http://host:port`; no trailing slash."""
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = f"http://{url}"
    return url


def seconds(value: float) -> str:
    return f"{value:g}s"


def transport_error(err: httpx.HTTPError, url: str, timeout: float) -> ServiceError:
    """A failure before any HTTP answer: the server could not be reached (or the URL is unusable)."""
    if isinstance(err, httpx.TimeoutException):
        what = "connecting" if isinstance(err, httpx.ConnectTimeout) else "waiting for an answer"
        detail = f"timed out after {seconds(timeout)} ({what})"
        return ServerUnavailable(f"{url} did not respond: {detail}.", "timeout", detail)
    if isinstance(err, httpx.UnsupportedProtocol | httpx.InvalidURL):
        detail = "expected http://host:port"
        return ServerUnavailable(f"{url} is not a valid server address ({detail}).", "invalid", detail)
    if isinstance(err, httpx.ConnectError):
        reason, detail = connect_failure(str(err).lower())
        return ServerUnavailable(f"Cannot reach {url} ({detail}).", reason, detail)
    if isinstance(err, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return ServerUnavailable(f"The connection to {url} was cut before the server answered.", "http")
    detail = type(err).__name__
    return ServerUnavailable(f"Cannot reach {url} ({detail}).", "other", detail)


def connect_failure(text: str) -> tuple[UnreachableReason, str]:
    """The reason of a failed connect, from the OS's wording (the only place that reads it)."""
    if "refused" in text or "all connection attempts failed" in text:
        return "refused", "connection refused"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "resolve" in text:
        return "dns", "host not found"
    if "ssl" in text or "certificate" in text:
        return "tls", "TLS handshake failed"
    return "other", "could not connect"


def looks_like_html(response: httpx.Response) -> bool:
    if "html" in response.headers.get("content-type", "").lower():
        return True
    return response.content.lstrip()[:1] == b"<"


def decode_json(response: httpx.Response) -> Any:
    """The JSON body, or ServerError saying in words what came instead (a hostile server's 100k-deep
    nesting included: the decoder's RecursionError is an answer we cannot use, not a crash). orjson reads
    it; the stdlib reads what orjson refuses, so any body decodes exactly as `json.loads` would."""
    status = response.status_code
    if looks_like_html(response):
        raise ServerError(f"The server answered {status} with an HTML page instead of JSON.", status)
    if not response.content.strip():
        raise ServerError(f"The server answered {status} with an empty body instead of JSON.", status)
    content = response.content
    try:
        return orjson.loads(content)  # ~2.5x the stdlib's speed: 10k list rows are 4 MB of JSON
    except orjson.JSONDecodeError:
        pass  # what it refuses (NaN, 2**64, lone surrogates, UTF-16, deep nesting) the stdlib reads as ever
    try:
        return json.loads(content)
    except RecursionError:
        raise ServerError(f"The server answered {status} with JSON nested too deeply to read.",
                          status) from None
    except ValueError:
        raise ServerError(f"The server answered {status} with malformed or truncated JSON.", status) from None


def retry_after(response: httpx.Response, now: datetime | None = None) -> int | None:
    """`Retry-After` in whole seconds (at least 1), from a number or an HTTP date; None if absent or odd."""
    raw = response.headers.get("retry-after", "").strip()
    if not raw:
        return None
    try:
        wait = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        wait = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(wait):
        return None
    return max(1, min(math.ceil(wait), 86400))


def field_errors(body: Any, secrets: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """DRF validation body -> {field: [messages]}; anything else lands under "detail"."""
    if isinstance(body, dict):
        fields: dict[str, list[str]] = {}
        for name, value in body.items():
            if name == "code":
                continue
            items = value if isinstance(value, list) else [value]
            fields[str(name)] = [scrub(item if isinstance(item, str) else json.dumps(item), secrets)
                                 for item in items]
        return fields
    if isinstance(body, list):
        return {"detail": [scrub(str(item), secrets) for item in body]}
    return {"detail": [scrub(str(body), secrets)]}


def detail_of(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return scrub(body["detail"])
    return ""


def error_for(response: httpx.Response, secrets: tuple[str, ...] = ()) -> ServiceError:
    """The typed error for a non-2xx answer."""
    status = response.status_code
    if status == 429:
        return TooManyAttempts(retry_after(response))
    try:
        body = decode_json(response)
    except ServerError as err:
        if status >= 500 or looks_like_html(response) or status not in (400, 401, 403, 404, 409):
            return err
        body = None
    detail = scrub(detail_of(body), secrets)
    if status == 400:
        return ValidationFailed(None if body is not None else "The server rejected the input.",
                                fields=field_errors(body, secrets) if body is not None else None)
    if status == 401:
        return AuthRequired(detail or None)
    if status == 403:
        return Forbidden(detail or None)
    if status == 404:
        return NotFound(None if detail in ("", "Not found.") else detail)
    if status == 409:
        return Conflict(detail or None)
    if status >= 500:
        suffix = f": {detail}" if detail else "."
        return ServerError(f"The server had an internal error (HTTP {status}){suffix}", status)
    suffix = f": {detail}" if detail else "."
    return ServerError(f"The server answered with an unexpected HTTP {status}{suffix}", status)
