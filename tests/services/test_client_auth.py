"""Login, refresh (reactive, proactive, single-flight), session loss and secrecy (MockTransport)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import threading
import time

import httpx
import pytest

from tests.services.conftest import JOB, URL, USER, FakeApi, make_jwt
from tui.services import AuthRequired, ServerUnavailable
from tui.services.client import ApiClient
from tui.services.tokens import TokenStore


def new_client(api: FakeApi, store: TokenStore) -> ApiClient:
    return ApiClient(URL, token_store=store, transport=httpx.MockTransport(api.handle))


async def test_login_saves_a_private_profile(logged_in: ApiClient, store: TokenStore) -> None:
    path = store.profile_path(URL)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["username"] == "ada" and saved["server_url"] == URL
    assert store.last_server == URL
    assert logged_in.is_authenticated and logged_in.session is not None
    assert logged_in.session.username == "ada" and logged_in.session.access_expires_at is not None


async def test_wrong_credentials(api: FakeApi, client: ApiClient) -> None:
    api.routes[("POST", "auth/login/")] = lambda r: httpx.Response(
        401, json={"detail": "No active account found with the given credentials"})
    with pytest.raises(AuthRequired, match="Wrong username or password."):
        await client.login("ada", "bad")
    assert not client.is_authenticated


async def test_401_refreshes_once_and_retries(api: FakeApi, logged_in: ApiClient, store: TokenStore) -> None:
    before = store.load(URL)
    api.expire_all()  # server-side expiry the client cannot see in `exp`
    job = await logged_in.get_job(7)
    assert job.id == 7 and api.refresh_calls == 1
    after = store.load(URL)
    assert after is not None and before is not None
    assert after.refresh != before.refresh and after.refresh in api.valid_refresh  # rotation saved


async def test_proactive_refresh_inside_the_margin(api: FakeApi, store: TokenStore) -> None:
    old = make_jwt(lifetime=25, serial=900, now=time.time() - 24)  # 1 s left of 25: inside the 2.5 s margin
    api.valid_access.add(old)
    api.valid_refresh.add("r-old")
    api.routes[("POST", "auth/login/")] = lambda r: httpx.Response(
        200, json={"access": old, "refresh": "r-old", "user": USER})
    client = new_client(api, store)
    await client.login("ada", "pw")
    seen: list[str] = []
    api.routes[("GET", "auth/me/")] = lambda r: seen.append(r.headers["authorization"]) or None
    await client.me()
    await client.aclose()
    assert api.refresh_calls == 1 and seen and old not in seen[0]


async def test_short_tokens_are_not_refreshed_early(api: FakeApi, store: TokenStore) -> None:
    api.lifetime = 2  # SimpleJWT rounds exp down: an early refresh would return the same exp
    client = new_client(api, store)
    await client.login("ada", "pw")
    await client.me()
    await client.aclose()
    assert api.refresh_calls == 0


async def test_expired_exp_refreshes_without_a_401(api: FakeApi, store: TokenStore) -> None:
    api.lifetime = -5  # login hands out an already expired token
    client = new_client(api, store)
    await client.login("ada", "pw")
    api.lifetime = 300
    seen: list[bool] = []
    api.routes[("GET", "auth/me/")] = lambda r: seen.append(api.authorized(r)) or None
    await client.me()
    await client.aclose()
    assert api.refresh_calls == 1 and seen == [True]


@pytest.mark.parametrize("how", ["401", "exp"])
async def test_20_concurrent_calls_after_expiry_refresh_once(api: FakeApi, store: TokenStore,
                                                             how: str) -> None:
    api.refresh_delay = 0.05
    if how == "exp":
        api.lifetime = -5
    client = new_client(api, store)
    await client.login("ada", "pw")
    api.lifetime = 300
    if how == "401":
        api.expire_all()
    jobs = await asyncio.gather(*(client.get_job(7) for _ in range(20)))
    await client.aclose()
    assert [job.id for job in jobs] == [7] * 20
    assert api.refresh_calls == 1


async def test_refresh_failure_loses_the_session(api: FakeApi, logged_in: ApiClient,
                                                 store: TokenStore) -> None:
    reasons: list[str] = []
    logged_in.on_auth_lost = reasons.append
    api.expire_all()
    api.valid_refresh.clear()  # blacklisted
    with pytest.raises(AuthRequired) as caught:
        await logged_in.list_jobs()
    assert "refused to renew" in caught.value.message and "Token is blacklisted" in caught.value.message
    assert reasons == [caught.value.message]
    assert not logged_in.is_authenticated and logged_in.session is None
    assert store.load(URL) is None
    with pytest.raises(AuthRequired, match="not logged in"):
        await logged_in.list_jobs()
    assert len(reasons) == 1


async def test_refresh_unreachable_keeps_the_session(api: FakeApi, logged_in: ApiClient) -> None:
    api.expire_all()

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    api.routes[("POST", "auth/token/refresh/")] = down
    with pytest.raises(ServerUnavailable):
        await logged_in.get_job(7)
    assert logged_in.is_authenticated
    del api.routes[("POST", "auth/token/refresh/")]
    assert (await logged_in.get_job(7)).id == 7


async def test_rejected_again_after_refresh(api: FakeApi, logged_in: ApiClient) -> None:
    reasons: list[str] = []
    logged_in.on_auth_lost = reasons.append
    api.routes[("GET", "jobs/7/")] = lambda r: httpx.Response(401, json={"detail": "User not found"})
    with pytest.raises(AuthRequired):
        await logged_in.get_job(7)
    assert api.refresh_calls == 1 and len(reasons) == 1


async def test_file_vanished_means_logged_out_elsewhere(logged_in: ApiClient, store: TokenStore) -> None:
    reasons: list[str] = []
    logged_in.on_auth_lost = reasons.append
    os.unlink(store.profile_path(URL))
    with pytest.raises(AuthRequired) as caught:
        await logged_in.get_job(7)
    assert caught.value.message == "You were logged out (in another terminal or session)."
    assert reasons == [caught.value.message]


async def test_tokens_refreshed_by_another_client_are_adopted(api: FakeApi, logged_in: ApiClient,
                                                              store: TokenStore) -> None:
    other = new_client(api, store)
    assert await other.restore_session() is not None
    await other.refresh()
    assert api.refresh_calls == 1
    # The first client's access token was not revoked by the fake; make it invalid to be sure it reloads.
    api.valid_access = {store.load(URL).access}  # type: ignore[union-attr]
    assert (await logged_in.get_job(7)).id == 7
    assert api.refresh_calls == 1
    await other.aclose()


async def test_refresh_adopts_what_another_process_wrote_meanwhile(api: FakeApi, logged_in: ApiClient,
                                                                   store: TokenStore) -> None:
    other = new_client(api, store)
    await other.restore_session()
    await other.refresh()
    # Our client never looked at the file since: a forced refresh must adopt, not call the server.
    await logged_in.refresh()
    assert api.refresh_calls == 1
    await other.aclose()


async def test_restore_session(api: FakeApi, logged_in: ApiClient, store: TokenStore) -> None:
    fresh = new_client(api, store)
    user = await fresh.restore_session()
    assert user is not None and user.username == "ada" and fresh.is_authenticated
    await fresh.aclose()


async def test_restore_without_or_with_dead_tokens(api: FakeApi, logged_in: ApiClient,
                                                   store: TokenStore, tmp_path) -> None:
    empty = new_client(api, TokenStore(tmp_path / "empty"))
    assert await empty.restore_session() is None
    await empty.aclose()
    api.expire_all()
    api.valid_refresh.clear()
    dead = new_client(api, store)
    reasons: list[str] = []
    dead.on_auth_lost = reasons.append
    assert await dead.restore_session() is None
    assert reasons == [] and not dead.is_authenticated
    await dead.aclose()


async def test_logout_blacklists_and_deletes(api: FakeApi, logged_in: ApiClient, store: TokenStore) -> None:
    refresh = store.load(URL).refresh  # type: ignore[union-attr]
    reasons: list[str] = []
    logged_in.on_auth_lost = reasons.append
    await logged_in.logout()
    assert refresh not in api.valid_refresh
    assert store.load(URL) is None and not store.profile_path(URL).exists()
    assert not logged_in.is_authenticated and reasons == []
    with pytest.raises(AuthRequired):
        await logged_in.me()


async def test_logout_when_server_is_down_still_forgets(api: FakeApi, logged_in: ApiClient,
                                                        store: TokenStore) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    api.routes[("POST", "auth/logout/")] = down
    await logged_in.logout()
    assert store.load(URL) is None and not logged_in.is_authenticated


async def test_no_token_in_messages_reprs_or_logs(api: FakeApi, client: ApiClient, store: TokenStore,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await client.login("ada", "pw")
    first = store.load(URL)
    assert first is not None
    secrets = {first.access, first.refresh}
    echo = f"bad token {first.access} / {first.refresh}"
    api.routes[("GET", "jobs/")] = lambda r: httpx.Response(500, json={"detail": echo})
    api.routes[("POST", "jobs/")] = lambda r: httpx.Response(400, json={"token": [echo]})
    api.routes[("GET", "jobs/7/")] = lambda r: httpx.Response(200, json={**JOB, "id": first.access})
    errors = []
    for call in (client.list_jobs(), client.create_job("x"), client.get_job(7)):
        try:
            await call
        except Exception as err:  # noqa: BLE001 - collecting them all
            errors.append(err)
    api.expire_all()
    await client.me()  # refresh
    second = store.load(URL)
    assert second is not None
    secrets |= {second.access, second.refresh}
    api.valid_refresh.clear()
    api.expire_all()
    try:
        await client.me()
    except AuthRequired as err:
        errors.append(err)
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(client), repr(first), repr(store)]
    texts += [str(getattr(e, "fields", "")) for e in errors]
    assert len(errors) == 4
    for secret in secrets:
        assert all(secret not in text for text in texts)
        assert secret not in caplog.text
        assert secret[-20:] not in caplog.text


async def test_a_post_is_sent_again_whole_after_a_refresh(api: FakeApi, logged_in: ApiClient) -> None:
    bodies: list[bytes] = []

    def create(request: httpx.Request) -> httpx.Response | None:
        bodies.append(request.content)
        return httpx.Response(201, json=JOB) if api.authorized(request) else None

    api.routes[("POST", "jobs/")] = create
    api.expire_all()
    job = await logged_in.create_job("todo")
    assert job.id == 7 and api.refresh_calls == 1
    assert len(bodies) == 2 and bodies[0] == bodies[1] and json.loads(bodies[1]) == {"initial_prompt": "todo"}


async def test_token_file_io_stays_off_the_event_loop(api: FakeApi, client: ApiClient, store: TokenStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """stat, read, the fsync'd writes, delete and the lock all run in a worker thread."""
    loop_thread = threading.get_ident()
    calls: list[tuple[str, bool]] = []
    for name in ("signature", "read", "save", "delete", "remember_server", "acquire_lock"):
        original = getattr(TokenStore, name)

        def spy(self: TokenStore, *args: object, _original=original, _name=name, **kwargs: object) -> object:
            calls.append((_name, threading.get_ident() == loop_thread))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(TokenStore, name, spy)
    await client.login("ada", "pw")
    api.expire_all()
    await client.get_job(7)  # stat, 401, refresh under the lock: read and save
    restored = ApiClient(URL, token_store=store, transport=httpx.MockTransport(api.handle))
    assert await restored.restore_session() is not None
    await restored.logout()
    await restored.aclose()
    assert {name for name, _ in calls} == {"signature", "read", "save", "delete", "remember_server",
                                           "acquire_lock"}
    assert [name for name, on_loop in calls if on_loop] == []
