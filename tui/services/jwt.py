"""Read the claims of a JWT without checking its signature (the server checks it; we only need `exp`)."""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any

# Proactive refresh only for tokens that live long enough for a margin to make sense: SimpleJWT rounds
# `exp` down to whole seconds, so refreshing a 1 s token "early" would just return a token with the same exp.
MIN_LIFETIME_FOR_MARGIN = 20.0
MAX_MARGIN = 30.0


def claims(token: str) -> dict[str, Any]:
    """The payload of `token`, or {} if it is not a readable JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return {}
    return data if isinstance(data, dict) else {}


def expires_at(token: str) -> float | None:
    """`exp` as a Unix timestamp, or None if the token has none."""
    exp = claims(token).get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def refresh_margin(token: str) -> float:
    """Seconds before `exp` at which to refresh: 10% of the lifetime (at most 30 s), 0 for short tokens."""
    data = claims(token)
    exp, iat = data.get("exp"), data.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        return 0.0
    lifetime = float(exp) - float(iat)
    return min(MAX_MARGIN, lifetime * 0.1) if lifetime >= MIN_LIFETIME_FOR_MARGIN else 0.0


def needs_refresh(token: str, now: float | None = None) -> bool:
    """True when the token has expired or is within its refresh margin (False if it has no `exp`)."""
    exp = expires_at(token)
    if exp is None:
        return False
    return (time.time() if now is None else now) >= exp - refresh_margin(token)


def is_fresh(token: str, now: float | None = None) -> bool:
    """True when the token is usable now (no `exp`: assumed usable)."""
    return not needs_refresh(token, now)
