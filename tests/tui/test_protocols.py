"""The seams of tui/protocols.py hold: the real client and app, and every test double, implement them.

mypy checks the annotated assignments below (the lint test runs it on this file, tests/tui/harness.py and
tests/tui/conftest.py); the isinstance checks catch a member removed at run time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.screen import Screen

from tests.tui.conftest import ShellFake
from tests.tui.harness import FakeClient, HostApp
from tui.app import AppBuilderApp
from tui.protocols import AppsClient, Client, JobsClient, ScreenHost, SessionClient, host_of
from tui.services.client import ApiClient
from tui.services.socket import SocketClient
from tui.services.tokens import TokenStore


async def test_clients_implement_every_role(tmp_path: Path) -> None:
    real = ApiClient("http://127.0.0.1:9", token_store=TokenStore(tmp_path))
    clients: list[Client] = [real, FakeClient(), ShellFake()]
    socket_client: SocketClient = real
    for client in clients:
        assert isinstance(client, Client)
        assert isinstance(client, SessionClient | JobsClient | AppsClient)
    assert socket_client is real
    await real.aclose()


async def test_apps_implement_the_screen_host() -> None:
    fake = ShellFake()
    hosts: list[ScreenHost] = [AppBuilderApp(fake), HostApp(Screen, FakeClient())]
    for host in hosts:
        assert isinstance(host, ScreenHost)
        assert host.client is not None and host.purge_refused() is not None  # dev mode is off


async def test_a_screen_reaches_its_host_typed() -> None:
    app = HostApp(Screen, FakeClient(), dev_mode=True)
    async with app.run_test() as pilot:
        assert host_of(pilot.app.screen) is app
        assert host_of(pilot.app.screen).purge_refused() is None


async def test_an_app_without_the_protocol_fails_by_name() -> None:
    async with App[None]().run_test() as pilot:
        with pytest.raises(TypeError, match="App does not implement ScreenHost"):
            host_of(pilot.app.screen)
