"""A long first load (50k jobs arrive page by page) is never cancelled and restarted by the periodic tick."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest

from tests.tui.conftest import ShellFake, fixed_clock, sample_jobs
from tests.tui.harness import wait_for
from tui.app import AppBuilderApp
from tui.screens.dashboard import DashboardScreen
from tui.services.job_watcher import JobWatcher
from tui.services.records import JobSummary


class SlowPages(ShellFake):
    """The first page at once, the rest only when the test says: a load that is still running."""

    def __init__(self) -> None:
        jobs = sample_jobs()
        jobs[0] = jobs[0].model_copy(update={"status": "building"})  # a build no socket follows yet
        super().__init__(jobs=jobs)
        self.loads = 0
        self.rest = asyncio.Event()

    async def job_summary_pages(self, first: int = 200,
                                size: int = 1000) -> AsyncIterator[tuple[list[JobSummary], int]]:
        self.loads += 1
        summaries = [JobSummary.of(job) for job in self.jobs]
        yield summaries[:1], len(self.jobs)
        await self.rest.wait()
        yield summaries, len(self.jobs)


async def test_tick_does_not_restart_a_running_load() -> None:
    client = SlowPages()
    app = AppBuilderApp(client, clock=fixed_clock)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and client.loads == 1,
                       what="the first load to start")
        board = app.screen
        assert isinstance(board, DashboardScreen)
        await wait_for(pilot, lambda: len(board.jobs) == 1, what="the first page on screen")
        for _ in range(3):  # three 10-second ticks while the rest of the list is still coming
            board.tick()
            await pilot.pause()
        assert client.loads == 1, "a tick cancelled the running load and started it again"
        client.rest.set()
        await wait_for(pilot, lambda: len(board.jobs) == len(client.jobs) and board.loaded,
                       what="the whole list once the load finished")



async def test_builds_are_followed_once_the_list_is_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the rest of a long list loads, no build socket is opened: its messages would slow the
    server's list pages. The running build on the first page is followed when the load ends."""
    followed: list[set[int]] = []
    follow = JobWatcher.follow

    def recorded(watcher: JobWatcher, jobs: Iterable[JobSummary]) -> None:
        jobs = list(jobs)
        followed.append({job.id for job in jobs if job.status == "building"})
        follow(watcher, jobs)

    monkeypatch.setattr(JobWatcher, "follow", recorded)
    client = SlowPages()
    app = AppBuilderApp(client, clock=fixed_clock)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and len(app.screen.jobs) == 1,
                       what="the first page on screen")
        board = app.screen
        assert isinstance(board, DashboardScreen) and not board.loaded
        await pilot.pause()
        assert not any(followed), "a build was followed while the list loaded"
        client.rest.set()
        await wait_for(pilot, lambda: board.loaded and any(followed), what="builds followed after the load")
        assert client.jobs[0].id in set().union(*followed)


class QuickPagesThenSlow(SlowPages):
    """Three pages at once (faster than the loading count is repainted), then a slow one."""

    async def job_summary_pages(self, first: int = 200,
                                size: int = 1000) -> AsyncIterator[tuple[list[JobSummary], int]]:
        self.loads += 1
        summaries = [JobSummary.of(job) for job in self.jobs]
        for shown in (1, 2, 3):
            yield summaries[:shown], len(self.jobs)
        await self.rest.wait()
        yield summaries, len(self.jobs)


async def dashboard_of(pilot: Any, app: AppBuilderApp) -> DashboardScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen), what="the dashboard")
    assert isinstance(app.screen, DashboardScreen)
    return app.screen


async def end_the_load(pilot: Any, board: DashboardScreen, client: QuickPagesThenSlow) -> str:
    """Let the slow page come; the final count line, once it is on screen."""
    client.rest.set()
    everything = f"{len(client.jobs)} of {len(client.jobs)} projects"
    state = board.query_one("#dash-state")
    await wait_for(pilot, lambda: board.loaded and everything in str(state.render()),
                   what="the final count once the load ended")
    return everything


async def test_a_loading_count_held_back_is_shown_while_a_page_is_slow() -> None:
    """Pages that come quicker than PROGRESS_SECONDS are not a frame each, but the count of the last one
    still reaches the screen while the next page takes its time, and the end of the load replaces it."""
    client = QuickPagesThenSlow()
    assert len(client.jobs) > 3
    app = AppBuilderApp(client, clock=fixed_clock)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        board = await dashboard_of(pilot, app)
        state = board.query_one("#dash-state")
        await wait_for(pilot, lambda: f"loading 3 of {len(client.jobs)} projects" in str(state.render()),
                       what="the count of the third page while the fourth is slow")
        await end_the_load(pilot, board, client)
        assert board.progress_timer is None


async def test_a_count_whose_timer_fired_as_the_load_ended_does_not_come_back() -> None:
    """Textual queues a timer's callback when it fires: a held-back count could run after the load's end
    had stopped its timer and shown the final count, and put "loading …" back for good (seen in about one
    start in six at 10k jobs on a real terminal)."""
    client = QuickPagesThenSlow()
    app = AppBuilderApp(client, clock=fixed_clock)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        board = await dashboard_of(pilot, app)
        state = board.query_one("#dash-state")
        everything = await end_the_load(pilot, board, client)
        board.progress_at = float("inf")  # the next count is held back behind a timer
        board.show_progress("3 shown · loading 3 of 9 projects…")
        assert board.progress_timer is not None
        board.stop_progress()  # the load ends: the timer is stopped...
        board.set_state("ready", everything)
        board.progress_at = 0.0  # the held count's time has come
        board.progress_due()  # ...but its callback was already queued, and runs now
        await pilot.pause()
        assert everything in str(state.render()) and "loading" not in str(state.render())
