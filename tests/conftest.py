"""Shared fixtures: real reference servers on loopback (no network mocks in end-to-end tests)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from tests.support.live_server import LiveServer

_names = itertools.count(1)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One fast server (documented dialect, purge allowed) shared by the whole session.

    Tests sharing it must create their own users (see `fresh_user`) so they never see each other's data.
    """
    db = tmp_path_factory.mktemp("live") / "db.sqlite3"
    with LiveServer(db_path=db) as server:
        yield server


@pytest.fixture(autouse=True)
def _live_server_helper() -> None:
    """Shadows pytest-django's autouse helper, which mistakes our `live_server` (a subprocess) for its own."""


@pytest.fixture
def make_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LiveServer]]:
    """Factory for a dedicated server with custom options; all are stopped at teardown."""
    started: list[LiveServer] = []

    def make(**options: object) -> LiveServer:
        db = tmp_path_factory.mktemp("srv") / "db.sqlite3"
        server = LiveServer(db_path=db, **options).start()  # type: ignore[arg-type]
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def fresh_user(live_server: LiveServer) -> dict:
    """A newly registered user on the shared server: {"username", "password", "access", "refresh", "user"}."""
    name = f"user{next(_names)}_{id(object())}"
    password = "pass-word-123"
    data = live_server.register(name, password)
    return {"username": name, "password": password, **data}
