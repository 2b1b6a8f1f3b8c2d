"""A scripted in-memory API on `httpx.MockTransport` for the client's unit tests."""

from __future__ import annotations

import base64
import inspect
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.services.client import ApiClient
from tui.services.tokens import TokenStore

URL = "http://api.test"
USER = {"id": 1, "username": "ada", "email": "ada@example.com", "is_staff": False,
        "date_joined": "2026-11-24T21:00:00Z"}
JOB = {"id": 7, "title": "todo", "initial_prompt": "todo", "status": "collecting", "current_stage": None,
       "stages": [], "prd": None, "app_id": None, "created_at": "2026-11-24T21:00:00Z",
       "updated_at": "2026-11-24T21:00:00Z"}


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def make_jwt(lifetime: float = 300, serial: int = 0, now: float | None = None) -> str:
    """An HS256-looking token with integer exp/iat like SimpleJWT's (signature is junk)."""
    issued = int(time.time() if now is None else now)
    payload = {"token_type": "access", "exp": int(issued + lifetime), "iat": issued, "jti": f"j{serial}",
               "user_id": 1}
    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(payload)}.c2lnbmF0dXJlLXNlcmlhbC0{serial:04d}"


Handler = Callable[[httpx.Request], httpx.Response | None | Awaitable[httpx.Response | None]]


class FakeApi:
    """Issues tokens, counts refreshes, answers a few endpoints; `routes` overrides any path."""

    def __init__(self, lifetime: float = 300) -> None:
        self.lifetime = lifetime
        self.serial = itertools.count(1)
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.refresh_calls = 0
        self.refresh_fails_with: int | None = None
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], Handler] = {}
        self.refresh_delay = 0.0

    def issue(self, lifetime: float | None = None) -> dict[str, str]:
        n = next(self.serial)
        access = make_jwt(self.lifetime if lifetime is None else lifetime, n)
        refresh = f"refresh-{n:04d}-{'r' * 20}"
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        return {"access": access, "refresh": refresh}

    def expire_all(self) -> None:
        self.valid_access.clear()

    def authorized(self, request: httpx.Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header[7:] in self.valid_access

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/")
        custom = self.routes.get((request.method, path))
        if custom is not None:
            answer = custom(request)
            if inspect.isawaitable(answer):  # a route that waits for another request
                answer = await answer
            if answer is not None:
                return answer
        if path == "auth/login/":
            return httpx.Response(200, json={**self.issue(), "user": USER})
        if path == "auth/token/refresh/":
            return await self.refresh(request)
        if not self.authorized(request):
            return httpx.Response(401, json={"detail": "Given token not valid for any token type",
                                             "code": "token_not_valid"})
        if path == "auth/logout/":
            self.valid_refresh.discard(json.loads(request.content)["refresh"])
            return httpx.Response(205)
        if path == "auth/me/":
            return httpx.Response(200, json=USER)
        if path == "jobs/7/":
            return httpx.Response(200, json=JOB)
        if path == "jobs/":
            return httpx.Response(200, json=[JOB])
        return httpx.Response(404, json={"detail": "Not found."})

    async def refresh(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        self.refresh_calls += 1
        await asyncio.sleep(self.refresh_delay)
        token = json.loads(request.content).get("refresh")
        if self.refresh_fails_with is not None or token not in self.valid_refresh:
            return httpx.Response(self.refresh_fails_with or 401,
                                  json={"detail": "Token is blacklisted", "code": "token_not_valid"})
        self.valid_refresh.discard(token)  # rotation
        return httpx.Response(200, json=self.issue())


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "config")


@pytest.fixture
async def client(api: FakeApi, store: TokenStore) -> Any:
    c = ApiClient(URL, token_store=store, transport=httpx.MockTransport(api.handle))
    yield c
    await c.aclose()


@pytest.fixture
async def logged_in(client: ApiClient) -> ApiClient:
    await client.login("ada", "secret-pass")
    return client
