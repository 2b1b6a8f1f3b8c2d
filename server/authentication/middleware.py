"""Channels middleware: authenticates a websocket from `?token=<access>` (first-frame auth: consumer)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError


def user_for_token_sync(raw: str) -> Any | None:
    """The active user for an access token, or None if the token is bad, expired or the user is gone."""
    auth = JWTAuthentication()
    try:
        user = auth.get_user(auth.get_validated_token(raw.encode()))
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None
    return user if user.is_active else None


user_for_token = database_sync_to_async(user_for_token_sync)


class JWTAuthMiddleware:
    """Sets `scope["user"]`; `scope["token_error"]` is True when a `?token=` was given but is invalid."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode(errors="replace"))
        token = (query.get("token") or [""])[0]
        user = await user_for_token(token) if token else None
        scope = {**scope, "user": user or AnonymousUser(), "token_error": bool(token) and user is None}
        return await self.app(scope, receive, send)
