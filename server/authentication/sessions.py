"""Login sessions: every refresh-token chain carries a session id (`sid`) its access tokens inherit.

Sockets join `session_<sid>` and `user_<id>` groups, so a logout closes exactly the sockets that session
opened (4401), and each socket knows when its access token expires.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken

SESSION_CLAIM = "sid"


def new_refresh_token(user: Any) -> RefreshToken:
    """A refresh token starting a new session (rotation keeps the `sid`, access tokens copy it)."""
    token = RefreshToken.for_user(user)
    token[SESSION_CLAIM] = secrets.token_hex(8)
    return token


def session_group(sid: str) -> str:
    return f"session_{sid}"


def user_group(user_id: Any) -> str:
    return f"user_{user_id}"


@dataclass(frozen=True)
class SocketAuth:
    user: Any
    expires_at: float  # the access token's `exp` (epoch seconds)
    sid: str | None


def authenticate_sync(raw: str) -> SocketAuth | None:
    """The active user behind an access token, with its expiry and session; None if anything is wrong."""
    auth = JWTAuthentication()
    try:
        token = auth.get_validated_token(raw.encode())
        user = auth.get_user(token)
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None
    if not user.is_active:
        return None
    sid = token.get(SESSION_CLAIM)
    sid = sid if isinstance(sid, str) else None
    if sid is not None and sid in _ended:  # logged out: its access tokens open no new socket
        return None
    return SocketAuth(user, float(token["exp"]), sid)


authenticate = database_sync_to_async(authenticate_sync)


# Sessions logged out in this process -> when their last access token expires (then forgotten).
_ended: dict[str, float] = {}


def end_session(refresh: RefreshToken) -> None:
    """After a logout: close (4401) the sockets the session opened (all the user's if it has no sid), and
    refuse its still-unexpired access tokens on new sockets."""
    sid = refresh.get(SESSION_CLAIM)
    if isinstance(sid, str):
        now = time.time()
        for old in [s for s, until in _ended.items() if until < now]:
            _ended.pop(old, None)
        _ended[sid] = now + settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    layer = get_channel_layer()
    if layer is None:
        return
    group = session_group(sid) if isinstance(sid, str) else user_group(refresh.get("user_id"))
    async_to_sync(layer.group_send)(group, {"type": "session.ended"})
