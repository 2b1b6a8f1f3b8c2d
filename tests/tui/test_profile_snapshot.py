"""Snapshots of the profile screen (staff user, so the users table shows) with fixed fake data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.harness import SIZES, FakeClient, HostApp, wait_for
from tui.screens.profile import ProfileScreen

pytestmark = pytest.mark.usefixtures("utc")  # timestamps in the SVGs do not depend on the machine


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_profile(snap_compare: Any, size: tuple[int, int]) -> None:
    async def ready(pilot: Any) -> None:
        await wait_for(pilot, lambda: pilot.app.screen.state == "ready", what="profile loaded")
        await pilot.pause()

    assert snap_compare(HostApp(ProfileScreen, FakeClient(staff=True)), terminal_size=size, run_before=ready)
