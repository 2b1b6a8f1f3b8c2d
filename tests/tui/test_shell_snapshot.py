"""Snapshots of the shell screens with fixed fake data (ShellFake + fixed clock): deterministic SVGs.

Regenerate with `pytest --snapshot-update tests/tui -k snapshot`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.tui.conftest import ShellFake, fixed_clock
from tests.tui.harness import wait_for
from tui.app import AppBuilderApp
from tui.screens.confirm import ConfirmScreen, TypedConfirmScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.help import HelpScreen, default_sections

SIZES = [pytest.param((120, 40), id="120x40"), pytest.param((80, 24), id="80x24")]


def make_app(**fake: Any) -> AppBuilderApp:
    return AppBuilderApp(ShellFake(**fake), clock=fixed_clock)


async def until(pilot: Any, predicate: Any) -> None:
    await wait_for(pilot, predicate, timeout=10.0)


async def dashboard_ready(pilot: Any) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state != "loading")


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_login(snap_compare: Any, size: tuple[int, int]) -> None:
    async def ready(pilot: Any) -> None:
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "LoginScreen")
        await pilot.pause()

    assert snap_compare(make_app(logged_in=False), terminal_size=size, run_before=ready)


def test_snapshot_login_wrong_password(snap_compare: Any) -> None:
    async def typed(pilot: Any) -> None:
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "LoginScreen"
                    and pilot.app.focused is not None and pilot.app.focused.id == "username")
        await pilot.press(*"ada", "tab", *"nope", "enter")
        await until(pilot, lambda: "Wrong" in str(pilot.app.screen.query_one("#login-error").render()))

    assert snap_compare(make_app(logged_in=False), terminal_size=(120, 40), run_before=typed)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dashboard_rows(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=dashboard_ready)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_dashboard_empty(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(jobs=[]), terminal_size=size, run_before=dashboard_ready)


def test_snapshot_dashboard_filtered(snap_compare: Any) -> None:
    async def filtered(pilot: Any) -> None:
        await dashboard_ready(pilot)
        await pilot.press("slash", *"done")
        await until(pilot, lambda: pilot.app.screen.query_one("#jobs").row_count == 2)

    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=filtered)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_create_project(snap_compare: Any, size: tuple[int, int]) -> None:
    async def typed(pilot: Any) -> None:
        await dashboard_ready(pilot)
        await pilot.press("n")
        await until(pilot, lambda: type(pilot.app.screen).__name__ == "CreateProjectScreen")
        await pilot.press(*"A todo app", "enter", *"with due dates")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=typed)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_help(snap_compare: Any, size: tuple[int, int]) -> None:
    async def opened(pilot: Any) -> None:
        await dashboard_ready(pilot)
        sections = default_sections(["Global", "Dashboard", "Create project", "Login"])
        pilot.app.push_screen(HelpScreen(sections, current="Dashboard"))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=opened)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_confirm_delete(snap_compare: Any, size: tuple[int, int]) -> None:
    async def asked(pilot: Any) -> None:
        await dashboard_ready(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=asked)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_typed_confirm_purge(snap_compare: Any, size: tuple[int, int]) -> None:
    async def asked(pilot: Any) -> None:
        await dashboard_ready(pilot)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(pilot.app.screen, TypedConfirmScreen))
        await pilot.press(*"pur")
        await pilot.pause()

    app = AppBuilderApp(ShellFake(allow_purge=True), dev_mode=True, clock=fixed_clock)
    assert snap_compare(app, terminal_size=size, run_before=asked)
