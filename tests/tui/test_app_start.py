"""Start-up asks for the list's first page as soon as the session is confirmed, and the dashboard's first
frame shows it: no "Loading projects…" in between, one list request, errors where a load shows them, a
slow page does not hold the splash, and a refused session asks for no list at all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import tui.app
from tests.tui.conftest import ShellFake, fixed_clock, sample_jobs, screen_name
from tests.tui.harness import wait_for
from tui.app import AppBuilderApp
from tui.screens.dashboard import DashboardScreen
from tui.services import ServerError
from tui.services.records import JobSummary

SIZE = (120, 40)


class Pages(ShellFake):
    """Jobs with no running build (no sockets); counts list loads; the page can fail or wait for the test."""

    def __init__(self, fail: bool = False, logged_in: bool = True) -> None:
        super().__init__(jobs=[job for job in sample_jobs() if job.status not in ("prd", "building")],
                         logged_in=logged_in)
        self.loads = 0
        self.fail = fail
        self.release = asyncio.Event()
        self.release.set()

    async def job_summary_pages(self, first: int = 200,
                                size: int = 1000) -> AsyncIterator[tuple[list[JobSummary], int]]:
        self.loads += 1
        await self.release.wait()
        if self.fail:
            raise ServerError("The server failed (HTTP 500).", 500)
        yield [JobSummary.of(job) for job in self.jobs], len(self.jobs)


@pytest.fixture
def states(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every state the dashboard's status line is set to."""
    seen: list[str] = []
    set_state = DashboardScreen.set_state

    def recording(self: DashboardScreen, state: str, text: str) -> None:
        seen.append(state)
        set_state(self, state, text)

    monkeypatch.setattr(DashboardScreen, "set_state", recording)
    return seen


def board(app: AppBuilderApp) -> DashboardScreen | None:
    return app.screen if isinstance(app.screen, DashboardScreen) else None


async def test_the_first_frame_has_the_rows_and_the_list_is_asked_for_once(states: list[str]) -> None:
    client = Pages()
    app = AppBuilderApp(client, clock=fixed_clock)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: (dash := board(app)) is not None and dash.loaded,
                       what="a loaded dashboard")
        dash = board(app)
        assert dash is not None and len(dash.jobs) == len(client.jobs)
        assert "loading" not in states, f"'Loading projects…' was shown first: {states}"
        assert client.loads == 1
        await pilot.press("r")  # a reload asks again (the start-up page is used once)
        await wait_for(pilot, lambda: client.loads == 2 and dash.loaded, what="the reload")
        assert len(dash.jobs) == len(client.jobs)


async def test_a_first_page_that_fails_shows_the_error_on_the_dashboard(states: list[str]) -> None:
    client = Pages(fail=True)
    app = AppBuilderApp(client, clock=fixed_clock)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "error" in states, what="the list's error on the dashboard")
        dash = board(app)
        assert dash is not None and not dash.jobs
        assert "Could not load the projects" in str(dash.query_one("#dash-state").render())


async def test_a_slow_first_page_does_not_hold_the_splash(states: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tui.app, "FIRST_PAGE_WAIT", 0.05)
    client = Pages()
    client.release.clear()
    app = AppBuilderApp(client, clock=fixed_clock)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: board(app) is not None and "loading" in states,
                       what="the dashboard saying it is loading while the page is slow")
        client.release.set()
        await wait_for(pilot, lambda: (dash := board(app)) is not None and dash.loaded
                       and len(dash.jobs) == len(client.jobs), what="the rows once the page came")
        assert client.loads == 1


async def test_a_refused_session_shows_login_and_asks_for_no_list() -> None:
    client = Pages(logged_in=False)
    app = AppBuilderApp(client, clock=fixed_clock)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "LoginScreen", what="the login form")
        assert client.loads == 0
