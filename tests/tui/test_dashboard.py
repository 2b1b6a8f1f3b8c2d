"""Dashboard against the real reference server: list, filter, delete with confirm, purge (dev), help."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, screen_name, until
from tui.app import AppBuilderApp
from tui.screens.confirm import ConfirmScreen, TypedConfirmScreen
from tui.screens.dashboard import EMPTY, DashboardScreen, JobsTable

SIZE = (120, 40)
PROMPTS = ["A todo app with due dates", "Weather dashboard for sensors", "Recipe manager with scaling"]


async def start(server: LiveServer, user: dict, token_dir: Path, prompts: list[str] = PROMPTS,
                dev: bool = False) -> AppBuilderApp:
    client = await logged_in_client(server.url, token_dir, user["username"], user["password"])
    for prompt in prompts:
        await client.create_job(prompt)
    return AppBuilderApp(client, dev_mode=dev)


def board(app: AppBuilderApp) -> DashboardScreen:
    assert isinstance(app.screen, DashboardScreen)
    return app.screen


def rows(app: AppBuilderApp) -> int:
    return app.screen.query_one("#jobs", JobsTable).row_count


def ready(app: AppBuilderApp) -> bool:
    return isinstance(app.screen, DashboardScreen) and app.screen.state in ("ready", "empty")


async def test_lists_jobs(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 3, what="3 rows")
        titles = {job.title for job in board(app).jobs}
        assert titles == set(PROMPTS)
        assert app.connection_state == "live"
    await app.client.aclose()


async def test_empty_state(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir, prompts=[])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app), what="dashboard")
        assert board(app).state == "empty"
        assert EMPTY in str(app.screen.query_one("#dash-state").render())
    await app.client.aclose()


async def test_filter_narrows_rows(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 3)
        await pilot.press("slash", *"weather")
        await until(pilot, lambda: rows(app) == 1, what="one row")
        await pilot.press("escape")
        await until(pilot, lambda: rows(app) == 3, what="filter cleared")
    await app.client.aclose()


async def test_sort_cycles_columns(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 3)
        await pilot.press("s")
        assert board(app).sort_column == "title"
        assert [job.title for job in board(app).jobs] == sorted(PROMPTS, key=str.lower)
    await app.client.aclose()


async def test_header_click_sorts_and_a_second_click_reverses(live_server: LiveServer, fresh_user: dict,
                                                               token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        def title_x() -> int | None:
            table = app.screen.query_one(JobsTable)
            return next((x for x in range(table.size.width) if table.column_at(x) == "title"), None)

        # the rows can be in before the table's first layout (the start-up page is in its first frame)
        await until(pilot, lambda: ready(app) and rows(app) == 3 and title_x() is not None,
                    what="three rows, and the table laid out with its title column")
        x = title_x()
        assert x is not None
        await pilot.click(JobsTable, offset=(x, 0))
        await until(pilot, lambda: board(app).sort_column == "title", what="sorted by title (header click)")
        assert [job.title for job in board(app).jobs] == sorted(PROMPTS, key=str.lower)
        await pilot.click(JobsTable, offset=(x, 0))
        await until(pilot, lambda: board(app).sort_reverse, what="reversed by a second click")
        assert [job.title for job in board(app).jobs] == sorted(PROMPTS, key=str.lower, reverse=True)
    await app.client.aclose()


async def test_delete_with_confirm(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 3)
        doomed = board(app).selected_id()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await until(pilot, lambda: ready(app) and rows(app) == 2, what="row removed")
        remaining = {job.id for job in await app.client.list_jobs()}
        assert doomed not in remaining and len(remaining) == 2
    await app.client.aclose()


async def test_delete_cancelled_keeps_job(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 3)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await until(pilot, lambda: ready(app))
        assert len(await app.client.list_jobs()) == 3
    await app.client.aclose()


async def test_purge_dev_mode_typed_confirmation(live_server: LiveServer, fresh_user: dict,
                                                 token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir, dev=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 3)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, TypedConfirmScreen), what="typed confirm")
        await pilot.press(*"nope", "enter")
        assert isinstance(app.screen, TypedConfirmScreen)  # wrong word: still asking
        await pilot.press(*["backspace"] * 4, *"purge", "enter")
        await until(pilot, lambda: ready(app) and board(app).state == "empty", what="purged")
        assert await app.client.list_jobs() == []
        messages = [n.message for n in app._notifications]
        assert any("Purged 3 jobs" in m for m in messages), messages
    await app.client.aclose()


async def test_purge_hidden_without_dev_mode(live_server: LiveServer, fresh_user: dict,
                                             token_dir: Path) -> None:
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    await client.create_job("keep me")
    info = replace(await client.server_info(), allow_job_purge=False)
    app = AppBuilderApp(client, server_info=info)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 1)
        assert not app.dev_mode
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert len(await client.list_jobs()) == 1
    await client.aclose()


async def test_help_opens_and_closes(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir, prompts=[])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app))
        await pilot.press("question_mark")
        await until(pilot, lambda: screen_name(app) == "HelpScreen", what="help")
        await pilot.press("escape")
        await until(pilot, lambda: ready(app), what="back on the dashboard")
    await app.client.aclose()


async def test_open_job_from_dashboard(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir, prompts=PROMPTS[:1])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 1)
        await pilot.press("enter")
        await until(pilot, lambda: screen_name(app) == "LiveBuildScreen", what="live build")
        for _ in range(3):  # the first escape may only leave the chat input
            if ready(app):
                break
            focused = app.focused
            await pilot.press("escape")
            await until(pilot, lambda f=focused: ready(app) or app.focused is not f, what="escape handled")
        await until(pilot, lambda: ready(app), what="dashboard again")
    await app.client.aclose()


async def test_server_down_shows_retry(make_server, fresh_user: dict, token_dir: Path) -> None:  # type: ignore[no-untyped-def]
    server = make_server()
    user = server.register("downer")
    client = await logged_in_client(server.url, token_dir, "downer", "pass-word-123")
    assert user["user"]["username"] == "downer"
    app = AppBuilderApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app))
        server.stop()
        await pilot.press("r")
        await until(pilot, lambda: board(app).state == "error", what="error state")
        text = str(app.screen.query_one("#dash-state").render())
        assert f"Server unreachable at {server.url}" in text and "press r to retry" in text
        assert app.connection_state == "offline"
        server.start()
        await pilot.press("r")
        await until(pilot, lambda: ready(app), what="recovered")
    await client.aclose()


async def test_running_build_updates_over_socket(make_server, token_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """A build in progress moves to done on the dashboard with no reload of the job list."""
    server = make_server(speed=0.15)  # slow enough that the first load sees the build running
    server.register("watcher")
    client = await logged_in_client(server.url, token_dir, "watcher", "pass-word-123")
    job = await client.create_job("A kanban board")
    await client.start_build(job.id)
    loads: list[int] = []
    all_pages = client.job_summary_pages

    def counting_pages(*args: object, **kwargs: object) -> object:
        loads.append(1)  # the whole list (the 3-second check of changed jobs is not a reload)
        return all_pages(*args, **kwargs)

    client.job_summary_pages = counting_pages
    app = AppBuilderApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 1, what="one row")
        dash = board(app)
        seen: set[str] = set()

        def status_cell() -> str:
            seen.add(dash.table.get_cell(job.id, "status"))
            return dash.table.get_cell(job.id, "status")

        await until(pilot, lambda: status_cell() == "done", timeout=60, what="row shows done")
        assert loads == [1], "the dashboard refetched the job list instead of following the socket"
        assert seen & {"prd", "building"}, seen
        await until(pilot, lambda: dash.watched == {}, what="the finished build's socket to be let go")
        assert dash.job_by_id(job.id).app_id == (await client.get_job(job.id)).app_id
    await client.aclose()


async def test_job_deleted_elsewhere_leaves_the_list(make_server, token_dir: Path) -> None:  # type: ignore[no-untyped-def]
    server = make_server(speed=1.0)
    server.register("deleter")
    client = await logged_in_client(server.url, token_dir, "deleter", "pass-word-123")
    other = await logged_in_client(server.url, token_dir / "other", "deleter", "pass-word-123")
    keep = await client.create_job("Stays")
    job = await client.create_job("Goes away mid-build")
    await client.start_build(job.id)
    app = AppBuilderApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app) and rows(app) == 2 and job.id in board(app).watched,
                    what="two rows, build followed")
        await other.delete_job(job.id)
        await until(pilot, lambda: rows(app) == 1, what="deleted row gone")
        assert [j.id for j in board(app).jobs] == [keep.id]
    await other.aclose()
    await client.aclose()


async def test_first_key_reaches_the_list(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    """`n` typed in the very tick the dashboard appears opens New project (it once went into the hidden
    filter, which then silently filtered the list)."""
    app = await start(live_server, fresh_user, token_dir, prompts=PROMPTS[:1])
    async with app.run_test(size=SIZE) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while not isinstance(app.screen, DashboardScreen):  # no pause: press the moment it is pushed
            assert loop.time() < deadline, "timed out waiting for the dashboard to be pushed"
            await asyncio.sleep(0)
        await pilot.press("n")
        await until(pilot, lambda: screen_name(app) == "CreateProjectScreen", what="New project screen")
        await pilot.press("escape")
        await until(pilot, lambda: ready(app) and rows(app) == 1, what="dashboard with its one row")
        assert board(app).needle == ""
    await app.client.aclose()
