"""The logged-in session of one client, as the `httpx.Auth` of its HTTP client: the only owner of the tokens
and of the token file.

Each request gets a fresh bearer (refreshed first when it is about to expire); a 401 refreshes once and the
request is sent again; a second 401 ends the session. Every process using the same profile shares one token
file: refreshes happen under an exclusive `flock` on the profile's lock file; after taking it the file is
re-read, and tokens another process already refreshed are adopted instead of refreshing again. Before each
request one `stat` tells whether the file changed (reload) or vanished (logged out elsewhere). All file I/O
(stat, read, fsync'd writes, the lock) runs in a worker thread, never on the event loop.

A session restored from the file is *unconfirmed* until the server accepts it once: losing it then is not
news for the app (there was no session yet), so `on_lost` is only called for a confirmed session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator

import httpx

from tui.services import jwt
from tui.services.errors import AuthRequired
from tui.services.tokens import Signature, StoredTokens, TokenStore

log = logging.getLogger(__name__)

NOT_LOGGED_IN = "You are not logged in."
LOGGED_OUT_ELSEWHERE = "You were logged out (in another terminal or session)."
REJECTED_AGAIN = "The server refused this session even after renewing it: please log in again."

# Does the refresh HTTP call: refresh token in, (access, refresh) out; AuthRequired if it was rejected.
RefreshCall = Callable[[str], Awaitable[tuple[str, str]]]
# Revokes a session on the server at logout (best effort: must not raise).
RevokeCall = Callable[[StoredTokens], Awaitable[None]]
FileState = tuple[StoredTokens | None, Signature | None]


class AuthSession(httpx.Auth):
    """Tokens of one server profile, kept in step with the token file; authenticates every request."""

    requires_request_body = True  # a request may be sent twice (after a refresh)

    def __init__(self, server_url: str, store: TokenStore, refresh_call: RefreshCall,
                 on_lost: Callable[[str], None]) -> None:
        self.server_url = server_url
        self.store = store
        self._refresh_call = refresh_call
        self._on_lost = on_lost
        self._tokens: StoredTokens | None = None
        self._sig: Signature | None = None
        self._confirmed = False  # the server accepted these tokens (a restored session is not yet)
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"AuthSession({self.server_url!r}, user={self.username!r})"

    @property
    def tokens(self) -> StoredTokens | None:
        return self._tokens

    @property
    def username(self) -> str | None:
        return self._tokens.username if self._tokens else None

    def _set(self, tokens: StoredTokens | None, sig: Signature | None) -> None:
        self._tokens, self._sig = tokens, sig

    def clear(self) -> None:
        self._set(None, None)
        self._confirmed = False

    def lose(self, reason: str) -> AuthRequired:
        """Forget the session, tell the app (once, if it was confirmed), and return the error to raise."""
        tell = self._tokens is not None and self._confirmed
        self.clear()
        if tell:
            try:
                self._on_lost(reason)
            except Exception:  # noqa: BLE001 - a broken callback must not hide the auth error
                log.exception("on_auth_lost callback failed")
        return AuthRequired(reason)

    # ----- httpx.Auth -------------------------------------------------------------------------------
    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        access = await self.fresh_access()
        bearer(request, access)
        response = yield request
        if response.status_code == 401:
            await self.refresh(stale=access)
            bearer(request, await self.fresh_access())
            response = yield request
            if response.status_code == 401:
                raise self.lose(REJECTED_AGAIN)
        self._confirmed = self._tokens is not None

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("AuthSession only works with httpx.AsyncClient")

    # ----- the shared file --------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def file_lock(self) -> AsyncIterator[None]:
        """Exclusive cross-process lock on the profile; acquired in a thread so the loop never blocks."""
        pending = asyncio.ensure_future(asyncio.to_thread(self.store.acquire_lock, self.server_url))
        try:
            fd = await asyncio.shield(pending)
        except asyncio.CancelledError:
            # The thread may still get the lock: release it as soon as it does.
            pending.add_done_callback(
                lambda f: None if f.cancelled() or f.exception() else self.store.release_lock(f.result()))
            raise
        try:
            yield
        finally:
            self.store.release_lock(fd)  # flock(LOCK_UN) and close: never blocks

    async def start(self, tokens: StoredTokens) -> None:
        """A new login: save it for every process (under the lock, so no refresh interleaves)."""
        async with self.file_lock():
            sig = await asyncio.to_thread(self.store.save, tokens)
        self._set(tokens, sig)
        self._confirmed = True
        await self.remember()

    async def restore(self) -> bool:
        """Take the saved session of this server, unconfirmed; False if there is none.

        An unreadable file is set aside and raises SessionFileUnreadable (in words)."""
        stored, sig = await asyncio.to_thread(self.store.read, self.server_url, set_aside=True)
        self.clear()
        if stored is None:
            return False
        self._set(stored, sig)
        return True

    async def remember(self) -> None:
        """This server is the last one used (the next start-up offers it)."""
        await asyncio.to_thread(self.store.remember_server, self.server_url)

    async def end(self, revoke: RevokeCall) -> None:
        """Log out: under the lock, hand the newest tokens to `revoke`, then delete the file and forget.

        The session stops being confirmed first: a request failing meanwhile is not a "lost" session."""
        mine = self._tokens
        self._confirmed = False
        try:
            async with self.file_lock():
                if mine is not None:
                    stored = await asyncio.to_thread(self.store.load, self.server_url)
                    await revoke(stored or mine)
                await asyncio.to_thread(self.store.delete, self.server_url)
        finally:
            self.clear()

    def _read_if_changed(self, known: Signature | None) -> FileState | None:
        """In a thread: None if the file is as last seen, else what it holds now ((None, None): gone)."""
        sig = self.store.signature(self.server_url)
        if sig == known:
            return None
        if sig is None:
            return None, None
        return self.store.read(self.server_url)

    async def sync_with_file(self) -> None:
        """One stat (in a thread): adopt tokens another process wrote; AuthRequired if the file vanished."""
        if self._tokens is None:
            return
        known = self._sig
        changed = await asyncio.to_thread(self._read_if_changed, known)
        if changed is None or self._sig != known or self._tokens is None:
            return  # unchanged, or this process saved or dropped tokens meanwhile
        stored, sig = changed
        if stored is None:
            if sig is None:
                raise self.lose(LOGGED_OUT_ELSEWHERE)
            self._sig = sig  # unreadable file: keep what we have, do not re-read it each time
            return
        if stored.username != self._tokens.username:
            raise self.lose(LOGGED_OUT_ELSEWHERE)
        log.debug("token file changed: adopting tokens refreshed by another process")
        self._set(stored, sig)

    # ----- access and refresh -----------------------------------------------------------------------
    async def fresh_access(self) -> str:
        """An access token that is not (about to be) expired, refreshing first if needed."""
        await self.sync_with_file()
        if self._tokens is None:
            raise AuthRequired(NOT_LOGGED_IN)
        if jwt.needs_refresh(self._tokens.access):
            await self.refresh(stale=self._tokens.access)
        if self._tokens is None:
            raise AuthRequired(NOT_LOGGED_IN)
        return self._tokens.access

    async def refresh(self, stale: str | None = None) -> None:
        """Single-flight refresh: concurrent callers holding the same stale token cause one HTTP call.

        `stale` is the access token the caller found wanting (None: the current one).
        """
        async with self._lock:
            current = self._tokens
            if current is None:
                raise AuthRequired(NOT_LOGGED_IN)
            if stale is not None and current.access != stale and jwt.is_fresh(current.access):
                return  # refreshed while we waited
            # Shielded: once the server rotated the refresh token, the new one must reach the file.
            await asyncio.shield(self._refresh_shared(current, stale or current.access))

    async def _refresh_shared(self, current: StoredTokens, stale: str) -> None:
        async with self.file_lock():
            stored, sig = await asyncio.to_thread(self.store.read, self.server_url)
            if stored is None or stored.username != current.username:
                raise self.lose(LOGGED_OUT_ELSEWHERE)
            if stored.access not in (current.access, stale) and jwt.is_fresh(stored.access):
                log.debug("another process refreshed already: adopting its tokens")
                self._set(stored, sig)
                return
            await self._refresh_locked(stored)

    async def _refresh_locked(self, stored: StoredTokens) -> None:
        """The refresh HTTP call and the save; the caller holds the file lock."""
        try:
            access, refresh = await self._refresh_call(stored.refresh)
        except AuthRequired as err:
            await asyncio.to_thread(self.store.delete, self.server_url)
            raise self.lose(f"Your session has ended: the server refused to renew it ({err.message}). "
                            "Please log in again.") from None
        new = StoredTokens(self.server_url, stored.username, access, refresh)
        sig = await asyncio.to_thread(self.store.save, new)
        self._set(new, sig)
        log.debug("access token refreshed")


def bearer(request: httpx.Request, access: str) -> None:
    """Authorize `request` with `access`; none (a refresh token alone, from the environment) sends none."""
    if access:
        request.headers["Authorization"] = f"Bearer {access}"
    else:
        request.headers.pop("Authorization", None)
