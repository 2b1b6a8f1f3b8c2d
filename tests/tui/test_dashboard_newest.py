"""The dashboard notices jobs created elsewhere (issue 11, item 8) within a few seconds, with one request
for the newest page each time, never the whole list. Real server, real client; the second client stands
for the CLI or another terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, until
from tui.app import AppBuilderApp
from tui.screens.dashboard import NEWEST_PAGE, DashboardScreen, JobsTable


async def test_jobs_created_elsewhere_appear_without_a_reload(live_server: LiveServer, fresh_user: dict,
                                                              token_dir: Path, tmp_path: Path) -> None:
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    calls: list[tuple[str, Any]] = []
    real_page, real_pages = client.list_job_summaries, client.job_summary_pages

    async def page(limit: int, offset: int = 0, **options: Any) -> Any:
        calls.append(("page", limit))
        return await real_page(limit, offset, **options)

    def pages(*args: Any, **options: Any) -> Any:
        calls.append(("all", None))
        return real_pages(*args, **options)

    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "empty",
                    what="empty dashboard")
        board = app.screen
        client.list_job_summaries, client.job_summary_pages = page, pages  # count what it asks from now on
        elsewhere = await logged_in_client(live_server.url, tmp_path / "other", fresh_user["username"],
                                           fresh_user["password"])
        first = await elsewhere.create_job("Made in another terminal")
        second = await elsewhere.create_job("Made with the CLI")
        await elsewhere.aclose()
        table = board.query_one(JobsTable)
        await until(pilot, lambda: table.row_count == 2 and board.state == "ready", timeout=15,
                    what="both jobs listed without pressing r")
        assert {job.id for job in board.jobs} == {first.id, second.id}
        assert calls and all(call == ("page", NEWEST_PAGE) for call in calls), calls
    await app.client.aclose()
