"""Auth endpoints: register, login, logout (blacklist), me, refresh rotation, users (admin only), expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from .conftest import client_for

pytestmark = pytest.mark.django_db


def register(anon: APIClient, username: str = "carol", password: str = "pass-word-123", **extra: Any) -> Any:
    return anon.post("/api/auth/register/", {"username": username, "password": password, **extra})


def test_meta_needs_no_auth(anon: APIClient) -> None:
    r = anon.get("/api/meta/", HTTP_AUTHORIZATION="Bearer garbage")
    assert r.status_code == 200
    assert r.json() == {
        "name": "appbuilder-reference",
        "version": "0.1.0",
        "allow_job_purge": True,
        "ws_dialect": "documented",
        "max_prompt_length": 20000,
        "access_token_lifetime": 300,
    }


def test_register_returns_user_and_working_tokens(anon: APIClient) -> None:
    r = register(anon, email="carol@example.com")
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"user", "access", "refresh"}
    assert set(body["user"]) == {"id", "username", "email", "is_staff", "date_joined"}
    assert body["user"]["username"] == "carol" and body["user"]["is_staff"] is False
    me = anon.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200 and me.json()["email"] == "carol@example.com"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "x", "password": "short"}, "password"),
        ({"password": "pass-word-123"}, "username"),
        ({"username": "x", "password": "pass-word-123", "is_staff": True}, "is_staff"),
        ({"username": "x", "password": "pass-word-123", "email": "not-an-email"}, "email"),
    ],
)
def test_register_rejects_bad_input(anon: APIClient, body: dict, field: str) -> None:
    r = anon.post("/api/auth/register/", body)
    assert r.status_code == 400
    assert field in r.json()


def test_register_duplicate_username(anon: APIClient) -> None:
    assert register(anon).status_code == 201
    r = register(anon)
    assert r.status_code == 400 and "username" in r.json()


def test_login_ok_and_wrong_password(anon: APIClient, alice: Any) -> None:
    r = anon.post("/api/auth/login/", {"username": "alice", "password": "pass-word-123"})
    assert r.status_code == 200
    assert {"access", "refresh", "user"} <= set(r.json()) and r.json()["user"]["username"] == "alice"
    bad = anon.post("/api/auth/login/", {"username": "alice", "password": "nope-nope-nope"})
    assert bad.status_code == 401
    assert bad.json()["detail"] == "No active account found with the given credentials"


def test_me_requires_auth(anon: APIClient) -> None:
    r = anon.get("/api/auth/me/")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


def test_expired_access_token_is_401(anon: APIClient, alice: Any) -> None:
    token = AccessToken.for_user(alice)
    token.set_exp(lifetime=-timedelta(seconds=5))
    r = anon.get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 401
    assert r.json()["code"] == "token_not_valid"


def test_refresh_rotates_and_old_refresh_is_rejected(anon: APIClient) -> None:
    tokens = register(anon).json()
    r = anon.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert r.status_code == 200
    new = r.json()
    assert set(new) == {"access", "refresh"} and new["refresh"] != tokens["refresh"]
    again = anon.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert again.status_code == 401
    assert anon.post("/api/auth/token/refresh/", {"refresh": new["refresh"]}).status_code == 200


def test_refresh_with_garbage_is_401(anon: APIClient) -> None:
    assert anon.post("/api/auth/token/refresh/", {"refresh": "x.y.z"}).status_code == 401


def test_logout_blacklists_refresh(anon: APIClient) -> None:
    tokens = register(anon).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    r = client.post("/api/auth/logout/", {"refresh": tokens["refresh"]})
    assert r.status_code == 205 and not r.content
    assert anon.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 401


def test_logout_needs_auth_and_a_valid_token(anon: APIClient, api: APIClient) -> None:
    assert anon.post("/api/auth/logout/", {"refresh": "x"}).status_code == 401
    assert api.post("/api/auth/logout/", {}).status_code == 400
    assert api.post("/api/auth/logout/", {"refresh": "x.y.z"}).status_code == 400


def test_logout_refuses_another_users_refresh(api: APIClient, anon: APIClient) -> None:
    tokens = register(anon).json()
    assert api.post("/api/auth/logout/", {"refresh": tokens["refresh"]}).status_code == 400
    assert anon.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).status_code == 200


def test_users_is_admin_only(make_user: Any, api: APIClient, anon: APIClient) -> None:
    admin = make_user("root", is_staff=True)
    r = client_for(admin).get("/api/auth/users/")
    assert r.status_code == 200
    assert {u["username"] for u in r.json()} == {"alice", "root"}
    assert api.get("/api/auth/users/").status_code == 403
    assert anon.get("/api/auth/users/").status_code == 401
