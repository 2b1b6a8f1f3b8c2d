"""REST authentication: SimpleJWT's access-token check, with the user row remembered for a few seconds.

Looking the user up was a query on every request (a fifth of a small list request's time). The row is
kept for `USER_CACHE_SECONDS` and every check SimpleJWT makes on it (exists, active, password unchanged when
`CHECK_REVOKE_TOKEN` is on) is still made on each request. A user saved or deleted in this process is
forgotten at once (model signals); a change made by another process is seen within `USER_CACHE_SECONDS`.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password


class UserCache:
    """user id (as text: tokens carry it as a string) -> (user row, monotonic time it was read); shared by
    the request threads."""

    def __init__(self) -> None:
        self._rows: dict[Any, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: Any, max_age: float) -> Any | None:
        with self._lock:
            entry = self._rows.get(str(user_id))
        if entry is None or time.monotonic() - entry[1] > max_age:
            return None
        return copy.copy(entry[0])  # a request may change its user; the cached row stays as read

    def put(self, user_id: Any, user: Any) -> None:
        with self._lock:
            if len(self._rows) > 10_000:  # bounded: old entries would only be re-read
                self._rows.clear()
            self._rows[str(user_id)] = (copy.copy(user), time.monotonic())

    def forget(self, user_id: Any) -> None:
        with self._lock:
            self._rows.pop(str(user_id), None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


users = UserCache()


def _forget_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    users.forget(getattr(instance, api_settings.USER_ID_FIELD))


post_save.connect(_forget_user, sender=get_user_model(), dispatch_uid="jwt_auth_forget_saved")
post_delete.connect(_forget_user, sender=get_user_model(), dispatch_uid="jwt_auth_forget_deleted")


class CachedUserJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token) -> Any:
        max_age = settings.USER_CACHE_SECONDS
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken("Token contained no recognizable user identification") from None
        user = users.get(user_id, max_age) if max_age > 0 else None
        if user is None:
            user = super().get_user(validated_token)  # the query, and all of SimpleJWT's checks
            users.put(user_id, user)
            return user
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed("The user's password has been changed.", code="password_changed")
        return user
