"""Tokens from APPBUILDER_TUI_TOKEN / APPBUILDER_TUI_REFRESH_TOKEN (CI): held in memory, never written."""

from __future__ import annotations

from pathlib import Path

from tui.services.client import ApiClient
from tui.services.errors import AuthRequired
from tui.services.tokens import Signature, StoredTokens, TokenStore

ENV_USER = "(token from the environment)"
NO_REFRESH = ("The token in APPBUILDER_TUI_TOKEN was refused or has expired, and "
              "APPBUILDER_TUI_REFRESH_TOKEN is not set.")


class EnvTokenStore(TokenStore):
    """A TokenStore for one server that lives in memory: refreshed tokens replace the env ones in this
    process only. Locking is the AuthSession's asyncio lock (one process, nothing shared)."""

    def __init__(self, server_url: str, access: str, refresh: str) -> None:
        super().__init__(Path("/nonexistent/appbuilder-tui-env-tokens"))
        self.server_url = server_url
        self._tokens: StoredTokens | None = StoredTokens(server_url, ENV_USER, access, refresh)
        self._version = 1

    def __repr__(self) -> str:
        return f"EnvTokenStore({self.server_url!r})"

    def _sig(self) -> Signature | None:
        return (0, self._version, 0) if self._tokens is not None else None

    def signature(self, server_url: str) -> Signature | None:
        return self._sig() if server_url == self.server_url else None

    def read(self, server_url: str) -> tuple[StoredTokens | None, Signature | None]:
        if server_url != self.server_url or self._tokens is None:
            return None, None
        return self._tokens, self._sig()

    def save(self, tokens: StoredTokens) -> Signature:
        self._tokens = tokens
        self._version += 1
        return (0, self._version, 0)

    def delete(self, server_url: str) -> None:
        if server_url == self.server_url:
            self._tokens = None

    def acquire_lock(self, server_url: str) -> int:
        return -1

    @staticmethod
    def release_lock(fd: int) -> None:
        return None

    @property
    def last_server(self) -> str | None:
        return self.server_url

    def remember_server(self, server_url: str) -> None:
        return None


class EnvTokenClient(ApiClient):
    """An ApiClient whose refresh says in words that there is no refresh token to use."""

    async def _refresh_call(self, refresh: str) -> tuple[str, str]:
        if not refresh:
            raise AuthRequired(NO_REFRESH)
        return await super()._refresh_call(refresh)
