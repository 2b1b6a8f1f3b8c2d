"""Issue 15: export an app's files from App detail (e) against the real server; overwrite if confirmed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tests.support.live_server import LiveServer
from tests.tui.harness import HostApp, finished_job, login, wait_for
from tui.screens.app_detail import AppDetailScreen

SIZE = (120, 40)


@pytest.fixture
async def client(live_server: LiveServer, fresh_user: dict, tmp_path: Path) -> Any:
    api = await login(live_server.url, tmp_path / "tokens", fresh_user["username"], fresh_user["password"])
    yield api
    await api.aclose()


def notices(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def export_to(pilot: Any, app: Any, directory: Path) -> None:
    await pilot.press("e")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportDialog", what="export dialog")
    app.screen.query_one("#export-dir", Input).value = str(directory)
    await pilot.press("enter")


async def test_export_writes_files_and_asks_before_overwriting(client: Any, tmp_path: Path) -> None:
    job = await finished_job(client)
    model = await client.get_app(job.app_id)
    target = tmp_path / "out"
    app = HostApp(lambda: AppDetailScreen(model.id), client)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.state == "ready", what="app loaded")
        await export_to(pilot, app, target)
        done = f"Exported {len(model.files)} files to {target}"
        await wait_for(pilot, lambda: done in notices(app), what=f"notice {done!r}")
        for item in model.files:
            assert (target / item.path).read_text(encoding="utf-8") == item.content
        first = target / model.files[0].path
        first.write_text("my local change")

        await export_to(pilot, app, target)  # again: files exist, so it asks; n keeps mine
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="overwrite question")
        await pilot.press("n")
        await wait_for(pilot, lambda: any("nothing was written" in m for m in notices(app)),
                       what="cancelled notice")
        assert first.read_text() == "my local change"

        await export_to(pilot, app, target)  # and y overwrites
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen", what="overwrite question")
        await pilot.press("y")
        await wait_for(pilot, lambda: first.read_text() == model.files[0].content, what="file overwritten")
        assert notices(app).count(done) == 2


async def test_export_into_a_file_says_so_in_one_line(client: Any, tmp_path: Path) -> None:
    job = await finished_job(client)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    app = HostApp(lambda: AppDetailScreen(job.app_id), client)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.state == "ready", what="app loaded")
        await export_to(pilot, app, blocker)
        await wait_for(pilot, lambda: f"{blocker} is not a directory." in notices(app), what="error notice")
        assert blocker.read_text() == "not a directory"
