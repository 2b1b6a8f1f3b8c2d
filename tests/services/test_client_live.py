"""ApiClient against the real reference server (subprocess on loopback): no mocks."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveServer
from tui.services import (
    AuthRequired,
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from tui.services.client import ApiClient
from tui.services.tokens import StoredTokens, TokenStore

REFRESH_PATH = "/api/auth/token/refresh/"
_names = itertools.count(1)


class CountingTransport(httpx.AsyncBaseTransport):
    """The real network transport, counting the refresh calls that go through it."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.refreshes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == REFRESH_PATH:
            self.refreshes += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def unique(prefix: str = "svc") -> str:
    return f"{prefix}{next(_names)}_{time.time_ns() % 10**9}"


@pytest.fixture
async def make_client(tmp_path: Path) -> AsyncIterator[Callable[..., ApiClient]]:
    made: list[ApiClient] = []

    def make(url: str, transport: httpx.AsyncBaseTransport | None = None, store: str = "tokens") -> ApiClient:
        client = ApiClient(url, token_store=TokenStore(tmp_path / store), transport=transport)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


async def wait_until_expired(client: ApiClient) -> None:
    session = client.session
    assert session is not None and session.access_expires_at is not None
    delay = (session.access_expires_at - datetime.now(UTC)).total_seconds() + 0.05
    await asyncio.sleep(max(delay, 0))


async def test_job_life_cycle(live_server: LiveServer, make_client: Callable[..., ApiClient]) -> None:
    client = make_client(live_server.url)
    name = unique()
    user = await client.register(name, "pass-word-123", email=f"{name}@example.com")
    assert user.username == name and client.is_authenticated
    assert (await client.me()).username == name

    job = await client.create_job("A todo app\nwith due dates")
    assert job.status == "collecting" and job.is_collecting and job.title == "A todo app"
    assert [j.id for j in await client.list_jobs()] == [job.id]
    page = await client.list_jobs_page(limit=5, search="todo")
    assert page.count == 1 and page.results[0].id == job.id
    assert (await client.list_jobs_page(limit=5, status="done")).count == 0
    assert (await client.get_job(job.id)).initial_prompt == "A todo app\nwith due dates"
    edited = await client.update_prompt(job.id, "A todo app with reminders")
    assert edited.initial_prompt == "A todo app with reminders"

    messages = await client.list_messages(job.id)
    assert messages and messages[0].role == "agent" and messages[0].kind == "chat"
    mine = await client.create_message(job.id, "For me, on my phone")
    assert (mine.role, mine.kind, mine.content) == ("user", "chat", "For me, on my phone")
    after = await client.list_messages(job.id, after=messages[-1].id)
    assert after[0].id == mine.id and all(m.id > messages[-1].id for m in after)
    assert (await client.get_message(mine.id)).content == "For me, on my phone"
    await client.delete_message(mine.id)
    with pytest.raises(NotFound):
        await client.get_message(mine.id)

    started = await client.start_build(job.id)
    assert started.status != "collecting"
    with pytest.raises(Conflict) as conflict:
        await client.update_prompt(job.id, "too late")
    assert "collecting" in conflict.value.message
    with pytest.raises(Conflict):
        await client.start_build(job.id)
    deadline = time.monotonic() + 60
    while (job := await client.get_job(job.id)).status not in ("done", "failed"):
        assert time.monotonic() < deadline, f"job stuck in {job.status}"
        await asyncio.sleep(0.1)
    assert job.status == "done" and job.app_id is not None and job.prd
    assert all(stage.status == "done" for stage in job.stages)

    app = await client.app_for_job(job.id)
    assert app.id == job.app_id and app.job == job.id and app.files
    assert [summary.id for summary in await client.list_apps()] == [app.id]
    full = await client.get_app(app.id)
    assert full.files == app.files and full.architecture.components
    assert all(f.path and f.content for f in full.files)
    kinds = {m.kind for m in await client.list_messages(job.id)}
    assert {"status", "prd", "step", "app"} <= kinds

    await client.delete_job(job.id)
    with pytest.raises(NotFound):
        await client.get_job(job.id)
    assert await client.list_jobs() == []


async def test_another_users_job_is_not_found(live_server: LiveServer,
                                              make_client: Callable[..., ApiClient]) -> None:
    alice, bob = make_client(live_server.url, store="a"), make_client(live_server.url, store="b")
    await alice.register(unique("alice"), "pass-word-123")
    await bob.register(unique("bob"), "pass-word-123")
    job = await alice.create_job("private")
    with pytest.raises(NotFound):
        await bob.get_job(job.id)
    with pytest.raises(NotFound):
        await bob.app_for_job(job.id)


async def test_validation_and_wrong_credentials(live_server: LiveServer, fresh_user: dict,
                                                make_client: Callable[..., ApiClient]) -> None:
    client = make_client(live_server.url)
    with pytest.raises(AuthRequired, match="Wrong username or password."):
        await client.login(fresh_user["username"], "not-the-password")
    await client.login(fresh_user["username"], fresh_user["password"])
    with pytest.raises(ValidationFailed) as caught:
        await client.create_job("   ")
    assert "initial_prompt" in caught.value.fields
    with pytest.raises(ValidationFailed) as too_long:
        await client.create_job("x" * 20_001)
    assert too_long.value.fields.get("initial_prompt")


async def test_purge_counts_only_mine(live_server: LiveServer, make_client: Callable[..., ApiClient]) -> None:
    me, other = make_client(live_server.url, store="me"), make_client(live_server.url, store="other")
    await me.register(unique(), "pass-word-123")
    await other.register(unique(), "pass-word-123")
    for prompt in ("one", "two", "three"):
        await me.create_job(prompt)
    kept = await other.create_job("not mine")
    assert await me.purge_jobs() == 3
    assert await me.list_jobs() == []
    assert (await other.get_job(kept.id)).id == kept.id


async def test_purge_forbidden_when_disabled(make_server: Callable[..., LiveServer],
                                             make_client: Callable[..., ApiClient]) -> None:
    server = make_server(allow_purge=False)
    client = make_client(server.url)
    assert (await client.server_info()).allow_job_purge is False
    await client.register(unique(), "pass-word-123")
    await client.create_job("stays")
    with pytest.raises(Forbidden) as caught:
        await client.purge_jobs()
    assert "purge is disabled" in caught.value.message
    assert len(await client.list_jobs()) == 1


async def test_list_users_admin_only(make_server: Callable[..., LiveServer],
                                     make_client: Callable[..., ApiClient]) -> None:
    server = make_server(seed_demo=True)
    demo = make_client(server.url, store="demo")
    await demo.login("demo", "demo-password")
    with pytest.raises(Forbidden):
        await demo.list_users()
    admin = make_client(server.url, store="admin")
    assert (await admin.login("admin", "admin-password")).is_staff
    names = {user.username for user in await admin.list_users()}
    assert {"admin", "demo"} <= names


async def test_server_info_and_wrong_url(live_server: LiveServer,
                                         make_client: Callable[..., ApiClient]) -> None:
    info = await make_client(live_server.url).server_info()
    assert info.name == "appbuilder-reference" and info.max_prompt_length == 20000
    wrong = make_client(f"{live_server.url}/api/meta")  # one level too deep: /api/meta/api/meta/ is a 404
    with pytest.raises(Exception) as caught:
        await wrong.server_info()
    assert "is not an appbuilder server" in str(caught.value)


async def test_expiry_refreshes_and_rotates(make_server: Callable[..., LiveServer],
                                            make_client: Callable[..., ApiClient]) -> None:
    server = make_server(access_lifetime=2)  # exp is whole seconds: 1 s can mean a few ms
    transport = CountingTransport()
    client = make_client(server.url, transport=transport)
    await client.register(unique(), "pass-word-123")
    first = client.token_store.load(client.server_url)
    for _ in range(3):
        await wait_until_expired(client)
        await client.me()
    assert transport.refreshes == 3
    last = client.token_store.load(client.server_url)
    assert first is not None and last is not None and last.refresh != first.refresh
    # the first refresh token was rotated out and blacklisted
    r = httpx.post(f"{server.url}{REFRESH_PATH}", json={"refresh": first.refresh}, timeout=10)
    assert r.status_code == 401


async def test_20_concurrent_calls_after_expiry_refresh_once(make_server: Callable[..., LiveServer],
                                                             make_client: Callable[..., ApiClient]) -> None:
    server = make_server(access_lifetime=2)  # exp is whole seconds: 1 s can mean a few ms
    transport = CountingTransport()
    client = make_client(server.url, transport=transport)
    await client.register(unique(), "pass-word-123")
    job = await client.create_job("concurrency")
    await wait_until_expired(client)
    jobs = await asyncio.gather(*(client.get_job(job.id) for _ in range(20)))
    assert {j.id for j in jobs} == {job.id}
    assert transport.refreshes == 1


async def test_server_rejecting_the_token_refreshes(live_server: LiveServer, fresh_user: dict,
                                                     make_client: Callable[..., ApiClient]) -> None:
    """A 401 for a token the client thinks valid (e.g. revoked): one refresh, one retry, success."""
    transport = CountingTransport()
    client = make_client(live_server.url, transport=transport)
    await client.login(fresh_user["username"], fresh_user["password"])
    stored = client.token_store.load(client.server_url)
    assert stored is not None
    broken = StoredTokens(stored.server_url, stored.username, stored.access + "x", stored.refresh)
    client.token_store.save(broken)  # same claims, bad signature; the client reloads the changed file
    assert (await client.me()).username == fresh_user["username"]
    assert transport.refreshes == 1
    assert client.token_store.load(client.server_url).access != broken.access  # type: ignore[union-attr]


async def test_logout_blacklists(live_server: LiveServer, fresh_user: dict,
                                 make_client: Callable[..., ApiClient]) -> None:
    client = make_client(live_server.url)
    await client.login(fresh_user["username"], fresh_user["password"])
    stored = client.token_store.load(client.server_url)
    assert stored is not None
    await client.logout()
    assert not client.is_authenticated and client.token_store.load(client.server_url) is None
    r = httpx.post(f"{live_server.url}{REFRESH_PATH}", json={"refresh": stored.refresh}, timeout=10)
    assert r.status_code == 401
    with pytest.raises(AuthRequired):
        await client.list_jobs()
    again = make_client(live_server.url)
    assert await again.restore_session() is None


async def test_restore_session_in_a_new_client(live_server: LiveServer, fresh_user: dict,
                                               make_client: Callable[..., ApiClient]) -> None:
    first = make_client(live_server.url)
    await first.login(fresh_user["username"], fresh_user["password"])
    second = make_client(live_server.url)
    user = await second.restore_session()
    assert user is not None and user.username == fresh_user["username"]
    assert second.token_store.last_server == live_server.url
