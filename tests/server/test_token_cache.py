"""Validated access tokens kept by their text (server/authentication/jwt_auth.py `TokenCache`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.tokens import AccessToken

from server.authentication import jwt_auth

URL = "/api/auth/me/"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts SimpleJWT's token decodes (signature and claims checks)."""
    calls: list[int] = []
    decode = TokenBackend.decode

    def counted(self: TokenBackend, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return decode(self, *args, **kwargs)

    monkeypatch.setattr(TokenBackend, "decode", counted)
    return calls


@pytest.mark.django_db
class TestTokenCache:
    def test_a_token_is_validated_once(self, make_user: Any, decodes: list[int]) -> None:
        client = bearer(str(AccessToken.for_user(make_user())))
        assert [client.get(URL).status_code for _ in range(3)] == [200] * 3
        assert len(decodes) == 1

    def test_an_expired_cached_token_is_refused_with_simplejwts_answer(self, make_user: Any) -> None:
        token = AccessToken.for_user(make_user())
        token.set_exp(lifetime=timedelta(seconds=-1))
        raw = str(token)
        uncached = bearer(raw).get(URL)
        jwt_auth.tokens.put(raw.encode(), token)  # as if it had validated before it expired
        cached = bearer(raw).get(URL)
        assert cached.status_code == uncached.status_code == 401
        assert cached.json() == uncached.json()
        assert jwt_auth.tokens.get(raw.encode()) is None

    def test_a_deactivated_user_is_refused_at_once(self, make_user: Any) -> None:
        user = make_user()
        client = bearer(str(AccessToken.for_user(user)))
        assert client.get(URL).status_code == 200
        user.is_active = False
        user.save()
        assert client.get(URL).status_code == 401

    def test_a_deleted_user_is_refused_at_once(self, make_user: Any) -> None:
        user = make_user()
        client = bearer(str(AccessToken.for_user(user)))
        assert client.get(URL).status_code == 200
        user.delete()
        assert client.get(URL).status_code == 401

    def test_a_changed_token_is_validated_again(self, make_user: Any, decodes: list[int]) -> None:
        raw = str(AccessToken.for_user(make_user()))
        assert bearer(raw).get(URL).status_code == 200
        forged = raw[:-2] + ("A" if raw[-2] != "A" else "B") + raw[-1]
        assert bearer(forged).get(URL).status_code == 401
        assert len(decodes) == 2

    def test_a_refresh_token_is_still_refused(self, make_user: Any) -> None:
        from rest_framework_simplejwt.tokens import RefreshToken

        client = bearer(str(RefreshToken.for_user(make_user())))
        assert [client.get(URL).status_code for _ in range(2)] == [401, 401]

    def test_bounded(self, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(jwt_auth.TokenCache, "LIMIT", 3)
        user = make_user()
        for _ in range(7):
            assert bearer(str(AccessToken.for_user(user))).get(URL).status_code == 200
            assert len(jwt_auth.tokens._tokens) <= 3
