"""Create project against the real reference server: typed prompt, ctrl+s lands on live build."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, screen_name, until
from tui.app import AppBuilderApp
from tui.screens.create_project import CreateProjectScreen
from tui.screens.dashboard import DashboardScreen

SIZE = (120, 40)


async def open_create(live_server: LiveServer, user: dict, token_dir: Path) -> AppBuilderApp:
    client = await logged_in_client(live_server.url, token_dir, user["username"], user["password"])
    return AppBuilderApp(client)


async def test_create_lands_on_live_build(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await open_create(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, CreateProjectScreen))
        await pilot.press(*"A kanban board", "enter", *"for my team")
        assert "14 / 20,000" not in str(app.screen.query_one("#create-counter").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen_name(app) == "LiveBuildScreen", what="live build")
        assert not any(isinstance(s, CreateProjectScreen) for s in app.screen_stack)  # replaced
        jobs = await app.client.list_jobs()
        assert [job.initial_prompt for job in jobs] == ["A kanban board\nfor my team"]
        assert app.screen.job_id == jobs[0].id  # type: ignore[attr-defined]
    await app.client.aclose()


async def test_counter_and_too_long_prompt_kept(live_server: LiveServer, fresh_user: dict,
                                                token_dir: Path) -> None:
    app = await open_create(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, CreateProjectScreen))
        limit = app.server_info.max_prompt_length if app.server_info else 20000
        text = "x" * (limit + 5)
        app.screen.query_one("#prompt", TextArea).text = text
        await until(pilot, lambda: "5 over" in str(app.screen.query_one("#create-counter").render()))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "over" in str(app.screen.query_one("#create-error").render()))
        assert isinstance(app.screen, CreateProjectScreen)
        assert app.screen.query_one("#prompt", TextArea).text == text
        assert await app.client.list_jobs() == []
    await app.client.aclose()


async def test_blank_prompt_inline_error(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await open_create(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, CreateProjectScreen))
        await pilot.press("space", "space", "ctrl+s")
        await until(pilot, lambda: "empty" in str(app.screen.query_one("#create-error").render()))
        assert await app.client.list_jobs() == []
        await pilot.press("escape")  # text is only blanks: leaves without asking
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
    await app.client.aclose()


async def test_escape_with_text_asks_first(live_server: LiveServer, fresh_user: dict,
                                           token_dir: Path) -> None:
    app = await open_create(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, CreateProjectScreen))
        await pilot.press(*"keep me", "escape")
        await until(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, CreateProjectScreen))
        assert app.screen.query_one("#prompt", TextArea).text == "keep me"
    await app.client.aclose()
