"""Snapshots of the apps list and the app detail (files tab) with fixed fake data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.harness import SIZES, FakeClient, HostApp, wait_for
from tui.screens.app_detail import AppDetailScreen
from tui.screens.apps import AppsScreen

pytestmark = pytest.mark.usefixtures("utc")  # timestamps in the SVGs do not depend on the machine


async def ready(pilot: Any) -> None:
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "state", "") in ("ready", "empty"), what="loaded")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_apps_list(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(HostApp(AppsScreen, FakeClient()), terminal_size=size, run_before=ready)


def test_snapshot_apps_empty(snap_compare: Any) -> None:
    assert snap_compare(HostApp(AppsScreen, FakeClient(apps=[])), terminal_size=(80, 24), run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_app_detail_files(snap_compare: Any, size: tuple[int, int]) -> None:
    async def second_file(pilot: Any) -> None:
        await ready(pilot)
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(HostApp(lambda: AppDetailScreen(3), FakeClient()), terminal_size=size,
                        run_before=second_file)
