"""Snapshots of the profile screen (staff user, so the users table shows) with fixed fake data."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.tui.harness import FakeClient, HostApp, wait_for
from tui.screens.profile import ProfileScreen

SIZES = [(120, 40), (80, 24)]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_profile(snap_compare: Any, size: tuple[int, int]) -> None:
    async def ready(pilot: Any) -> None:
        await wait_for(pilot, lambda: pilot.app.screen.state == "ready", what="profile loaded")
        await pilot.pause()

    assert snap_compare(HostApp(ProfileScreen, FakeClient(staff=True)), terminal_size=size, run_before=ready)
