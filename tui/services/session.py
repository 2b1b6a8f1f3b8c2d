"""The logged-in session of one client: tokens, single-flight refresh, and sharing with other processes.

Every process using the same profile shares one token file. Refreshes happen under an exclusive `flock`
on the profile's lock file; after taking it the file is re-read, and tokens another process already
refreshed are adopted instead of refreshing again. Before each request one `stat` tells whether the file
changed (reload) or vanished (logged out elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from tui.services import jwt
from tui.services.errors import AuthRequired
from tui.services.tokens import Signature, StoredTokens, TokenStore

log = logging.getLogger(__name__)

NOT_LOGGED_IN = "You are not logged in."
LOGGED_OUT_ELSEWHERE = "You were logged out (in another terminal or session)."

# Does the refresh HTTP call: refresh token in, (access, refresh) out; AuthRequired if it was rejected.
RefreshCall = Callable[[str], Awaitable[tuple[str, str]]]


class AuthSession:
    """Tokens of one server profile, kept in step with the token file."""

    def __init__(self, server_url: str, store: TokenStore, refresh_call: RefreshCall,
                 on_lost: Callable[[str], None]) -> None:
        self.server_url = server_url
        self.store = store
        self._refresh_call = refresh_call
        self._on_lost = on_lost
        self._tokens: StoredTokens | None = None
        self._sig: Signature | None = None
        self._lock = asyncio.Lock()
        self.quiet = False  # while restoring: a dead session is not "lost", there was none yet

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

    def lose(self, reason: str) -> AuthRequired:
        """Forget the session, tell the app (once), and return the error to raise."""
        had_session = self._tokens is not None
        self.clear()
        if had_session and not self.quiet:
            try:
                self._on_lost(reason)
            except Exception:  # noqa: BLE001 - a broken callback must not hide the auth error
                log.exception("on_auth_lost callback failed")
        return AuthRequired(reason)

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
            self.store.release_lock(fd)

    async def start(self, tokens: StoredTokens) -> None:
        """A new login: save it for every process (under the lock, so no refresh interleaves)."""
        async with self.file_lock():
            sig = await asyncio.to_thread(self.store.save, tokens)
        self._set(tokens, sig)

    def resume(self, tokens: StoredTokens, sig: Signature | None) -> None:
        self._set(tokens, sig)

    def sync_with_file(self) -> None:
        """One stat: reload tokens another process wrote; AuthRequired if the file vanished."""
        if self._tokens is None:
            return
        sig = self.store.signature(self.server_url)
        if sig == self._sig:
            return
        if sig is None:
            raise self.lose(LOGGED_OUT_ELSEWHERE)
        stored, sig = self.store.read(self.server_url)
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
        self.sync_with_file()
        if self._tokens is None:
            raise AuthRequired(NOT_LOGGED_IN)
        if jwt.needs_refresh(self._tokens.access):
            await self.refresh(stale=self._tokens.access)
        assert self._tokens is not None
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
            stored, sig = self.store.read(self.server_url)
            if stored is None or stored.username != current.username:
                raise self.lose(LOGGED_OUT_ELSEWHERE)
            if stored.access not in (current.access, stale) and jwt.is_fresh(stored.access):
                log.debug("another process refreshed already: adopting its tokens")
                self._set(stored, sig)
                return
            await self.refresh_locked(stored)

    async def refresh_locked(self, stored: StoredTokens) -> StoredTokens:
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
        return new
