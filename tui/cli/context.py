"""What every command starts from: the settings, the server URL, the token store and a client."""

from __future__ import annotations

import argparse
import os
import ssl
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui import locations
from tui.cli.exits import AUTH, USAGE, CliError
from tui.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from tui.services.client import ApiClient


@dataclass
class Context:
    args: argparse.Namespace
    settings: Settings
    config_file: Path
    config_dir: Path
    server_url: str

    @classmethod
    def load(cls, args: argparse.Namespace) -> Context:
        """Settings (file < env < flags) and the server URL; CliError(USAGE) on any config mistake."""
        from tui.services.tokens import TokenStore

        config_dir = getattr(args, "config_dir", None) or locations.config_dir()
        config_file = locations.config_file(getattr(args, "config_dir", None))
        try:
            settings = load_settings(config_file, dev=True if getattr(args, "dev", False) else None,
                                     timeout=getattr(args, "timeout", None))
            url = settings.server_url(getattr(args, "server", None), getattr(args, "profile", None),
                                      TokenStore(config_dir).last_server)
        except ConfigError as err:
            raise CliError(str(err), USAGE) from None
        apply_tls(settings)
        return cls(args, settings, config_file, config_dir, url)

    @property
    def env_tokens(self) -> bool:
        return self.settings.token is not None or self.settings.refresh_token is not None

    def store(self) -> Any:
        from tui.services.tokens import TokenStore

        return TokenStore(self.config_dir)

    def client(self, *, saved_session: bool = False) -> Any:
        """A client for the server; tokens from the environment unless `saved_session` (login/logout)."""
        if not self.env_tokens or saved_session:
            return self.client_for(self.server_url)
        from tui.cli.envtokens import EnvTokenClient, EnvTokenStore

        access = self.settings.token.get_secret_value() if self.settings.token else ""
        refresh = self.settings.refresh_token.get_secret_value() if self.settings.refresh_token else ""
        store = EnvTokenStore(self.server_url, access, refresh)
        return EnvTokenClient(self.server_url, token_store=store, timeout=self.settings.timeout,
                              transport=self.transport(self.server_url))

    def client_for(self, url: str) -> Any:
        """A client on the saved sessions, with the configured timeout and TLS checks."""
        from tui.services.client import ApiClient

        return ApiClient(url, token_store=self.store(), timeout=self.settings.timeout,
                         transport=self.transport(url))

    def transport(self, url: str) -> Any:
        return insecure_transport(url) if not self.settings.verify else deferred_trust_transport()

    async def sign_in(self, client: ApiClient) -> None:
        """Resume the session (saved, or from the env); CliError(AUTH) when there is none."""
        if await client.restore_session() is not None:
            return
        if self.env_tokens:
            raise CliError(f"{self.server_url} refused the token from APPBUILDER_TUI_TOKEN / "
                           "APPBUILDER_TUI_REFRESH_TOKEN", AUTH)
        raise CliError(f"not logged in to {self.server_url}: run `appbuilder-tui login "
                       f"--server {self.server_url}`", AUTH)


def apply_tls(settings: Settings) -> None:
    """`ca_bundle`: trusted by httpx (REST) and by the ssl module (the live socket) via SSL_CERT_FILE."""
    if settings.ca_bundle is not None:
        os.environ["SSL_CERT_FILE"] = str(settings.ca_bundle)


class DeferredTrustContext(ssl.SSLContext):
    """httpx's default TLS checks (certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR), with the CA bundle read
    at the first TLS handshake instead of when the client is made: reading it costs 30-60 ms of CPU at
    start-up, and a client of an http:// server never needs it. Every handshake still verifies."""

    trust_loaded = False

    def __new__(cls, protocol: int = ssl.PROTOCOL_TLS_CLIENT) -> DeferredTrustContext:
        context = super().__new__(cls, protocol)  # TLS_CLIENT: hostname checked, certificate required
        keylog = os.environ.get("SSLKEYLOGFILE")  # as ssl.create_default_context
        if keylog and not sys.flags.ignore_environment:
            context.keylog_filename = keylog
        return context

    def load_trust(self) -> None:
        if self.trust_loaded:
            return
        import certifi

        if os.environ.get("SSL_CERT_FILE"):  # as httpx.create_ssl_context reads the environment
            self.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
        elif os.environ.get("SSL_CERT_DIR"):
            self.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
        else:
            self.load_verify_locations(cafile=certifi.where())
        self.trust_loaded = True

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self.load_trust()
        return super().wrap_bio(*args, **kwargs)

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self.load_trust()
        return super().wrap_socket(*args, **kwargs)


def deferred_trust_transport() -> Any:
    """The transport httpx would make, with a `DeferredTrustContext`; None (httpx's own, which sets up the
    environment's proxies) when HTTP_PROXY / HTTPS_PROXY / ALL_PROXY is set."""
    import httpx

    if any(urllib.request.getproxies().get(scheme) for scheme in ("http", "https", "all")):
        return None
    return httpx.AsyncHTTPTransport(verify=DeferredTrustContext())


def insecure_transport(url: str) -> Any:
    """`verify = false`: an httpx transport that skips certificate checks, keeping the env's proxy."""
    import httpx

    host = urlsplit(url).hostname or ""
    proxies = urllib.request.getproxies()
    proxy = None if urllib.request.proxy_bypass(host) else proxies.get(urlsplit(url).scheme)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return httpx.AsyncHTTPTransport(verify=context, proxy=proxy)
