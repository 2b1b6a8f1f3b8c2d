"""REST authentication: SimpleJWT's access-token check, with the validated token and the user row remembered.

Validating an access token (base64, JSON, HMAC, claims) was ~8 % of a list request. A token that validated
is kept by its exact text (`TokenCache`) and, on each later request, only its expiry is checked again
(SimpleJWT's own `check_exp`, with the time now): everything else SimpleJWT checks (signature, token type,
`jti`) depends on the text and the signing key alone, which cannot change while the process runs. Access
tokens have no blacklist in SimpleJWT (only refresh tokens do), so nothing else could refuse a cached token
later; an expired one is dropped and re-validated, so its error is SimpleJWT's own. The user behind a token
is still checked on every request (below), so a deactivated user is refused as before.

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
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow, get_md5_hash_password


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


class TokenCache:
    """raw access token (bytes) -> SimpleJWT's validated token; shared by the request threads. At most
    `LIMIT` tokens; past that, expired ones are dropped, and all if that is not enough."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._tokens: dict[bytes, Token] = {}
        self._lock = threading.Lock()

    def get(self, raw: bytes) -> Token | None:
        """The token validated earlier from `raw`, if it has not expired since."""
        with self._lock:
            token = self._tokens.get(raw)
        if token is None:
            return None
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            self.forget(raw)
            return None
        return token

    def put(self, raw: bytes, token: Token) -> None:
        with self._lock:
            if len(self._tokens) >= self.LIMIT:
                self._drop_expired()
            if len(self._tokens) >= self.LIMIT:
                self._tokens.clear()
            self._tokens[raw] = token

    def _drop_expired(self) -> None:
        now = aware_utcnow()
        for raw, token in list(self._tokens.items()):
            try:
                token.check_exp(current_time=now)
            except TokenError:
                del self._tokens[raw]

    def forget(self, raw: bytes) -> None:
        with self._lock:
            self._tokens.pop(raw, None)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


tokens = TokenCache()


def _forget_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    users.forget(getattr(instance, api_settings.USER_ID_FIELD))


post_save.connect(_forget_user, sender=get_user_model(), dispatch_uid="jwt_auth_forget_saved")
post_delete.connect(_forget_user, sender=get_user_model(), dispatch_uid="jwt_auth_forget_deleted")


class CachedUserJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token: bytes) -> Token:
        token = tokens.get(raw_token)
        if token is None:
            token = super().get_validated_token(raw_token)  # raises for anything SimpleJWT refuses
            tokens.put(raw_token, token)
        return token

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
