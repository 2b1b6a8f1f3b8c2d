"""Apps list and app detail against the real reference server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static, TabbedContent

from tests.support.live_server import LiveServer
from tests.tui.harness import HostApp, finished_job, login, wait_for
from tui.messages import OpenApp
from tui.screens import app_detail
from tui.screens.app_detail import AppDetailScreen
from tui.screens.apps import AppsScreen
from tui.widgets.architecture_tree import ArchitectureTree
from tui.widgets.file_viewer import FileTree, FileViewer

SIZE = (120, 40)


@pytest.fixture
async def client(live_server: LiveServer, fresh_user: dict, tmp_path: Path) -> Any:
    api = await login(live_server.url, tmp_path, fresh_user["username"], fresh_user["password"])
    yield api
    await api.aclose()


def state_text(screen: AppsScreen) -> str:
    return str(screen.query_one("#apps-state", Static).render())


async def test_empty_state_for_a_new_user(client: Any) -> None:
    app = HostApp(AppsScreen, client)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.state != "loading", what="apps loaded")
        assert screen.state == "empty"
        assert "No apps yet" in state_text(screen)


async def test_list_filter_and_open(client: Any) -> None:
    job = await finished_job(client)
    app = HostApp(AppsScreen, client)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.state == "ready", what="apps loaded")
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        assert table.get_row_at(0)[1] == f"#{job.id}"
        await pilot.press("slash", *"zzz-nothing")
        assert screen.state == "empty" and "No app matches" in state_text(screen)
        await pilot.press("escape")
        assert table.row_count == 1 and table.has_focus
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.navigation, what="navigation")
        assert app.navigation[-1] == OpenApp(job.app_id)


async def test_detail_files_architecture_preview(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    job = await finished_job(client)
    model = await client.get_app(job.app_id)
    opened: list[str] = []
    monkeypatch.setattr(app_detail, "graphical_browser_available", lambda: True)
    monkeypatch.setattr(app_detail.webbrowser, "open", lambda url: opened.append(url) or True)
    app = HostApp(lambda: AppDetailScreen(model.id), client)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.state == "ready", what="app loaded")
        viewer = screen.query_one(FileViewer)
        tree = screen.query_one(FileTree)
        assert tree.has_focus
        assert viewer.current is not None
        first = viewer.current.path
        assert len(model.files) >= 2
        for _ in range(tree.last_line + 1):  # folder lines carry no file: move on past them
            await pilot.press("down")
            await pilot.pause()
            if viewer.current is not None and viewer.current.path != first:
                break
        assert viewer.current is not None and viewer.current.path != first, "second file not shown"
        shown = viewer.current
        assert shown is not None
        assert shown.content == next(f.content for f in model.files if f.path == shown.path)

        await pilot.press("2")
        assert screen.query_one(TabbedContent).active == "tab-architecture"
        arch = screen.query_one(ArchitectureTree)
        assert arch.component_names == [c.name for c in model.architecture.components]
        assert arch.component_names and arch.links

        await pilot.press("3", "c")
        assert app.clipboard == model.preview_url
        await pilot.press("o")
        await wait_for(pilot, lambda: opened, what="browser opened")
        assert opened == [model.preview_url]


async def test_detail_without_browser_says_so(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    job = await finished_job(client)
    monkeypatch.setattr(app_detail, "graphical_browser_available", lambda: False)
    app = HostApp(lambda: AppDetailScreen(job.app_id), client)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.state == "ready", what="app loaded")
        await pilot.press("o")
        await wait_for(pilot, lambda: any("No browser" in n.message for n in app._notifications),
                       what="no-browser notice")


async def test_missing_app_shows_error(client: Any) -> None:
    app = HostApp(lambda: AppDetailScreen(999999), client)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.state == "error", what="error state")
        assert "Could not load the app" in str(app.screen.query_one("#app-facts", Static).render())
