"""In-process fixtures for the server tests: users, authenticated DRF clients, fast pipeline."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from server.authentication.jwt_auth import tokens, users

_names = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_pipeline(settings: Any) -> None:
    settings.PIPELINE_SPEED = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOW_JOB_PURGE = True
    settings.AUTH_THROTTLE_RATES = {"login": "100000/min", "register": "100000/min", "refresh": "100000/min"}
    cache.clear()  # throttle history
    users.clear()  # user rows remembered by REST authentication (ids are reused between tests)
    tokens.clear()  # and the access tokens it validated


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    from django.contrib.auth import get_user_model

    def make(username: str | None = None, password: str = "pass-word-123", **extra: Any) -> Any:
        return get_user_model().objects.create_user(
            username=username or f"user{next(_names)}", password=password, **extra
        )

    return make


def client_for(user: Any | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def alice(make_user: Callable[..., Any]) -> Any:
    return make_user("alice")


@pytest.fixture
def bob(make_user: Callable[..., Any]) -> Any:
    return make_user("bob")


@pytest.fixture
def api(alice: Any) -> APIClient:
    """Alice's authenticated client."""
    return client_for(alice)


@pytest.fixture
def other_api(bob: Any) -> APIClient:
    """Bob's authenticated client."""
    return client_for(bob)


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
