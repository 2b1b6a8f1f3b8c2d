"""Sockets: a browser page from a host not in ALLOWED_HOSTS is refused; a client without Origin is not."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from server.asgi import AllowedHostsOriginValidator


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # the TUI and other non-browser clients send no Origin
        ("http://127.0.0.1:8000", True),
        ("https://builder.example.com", True),
        ("https://evil.example", False),
        ("null", False),
    ],
)
def test_socket_origin_is_one_of_allowed_hosts(settings: Any, origin: str | None, allowed: bool) -> None:
    settings.ALLOWED_HOSTS = ["127.0.0.1", "builder.example.com"]
    validator = AllowedHostsOriginValidator(application=None)
    assert validator.valid_origin(None if origin is None else urlparse(origin)) is allowed
