"""Dev mode follows --dev, not what the server allows (issue 11, item 10); with --dev on a server where purge
is off, P says so at once; help starts with the current screen, hides keys that do nothing, lists ctrl+p."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, screen_name, until
from tui.app import AppBuilderApp
from tui.screens.dashboard import DashboardScreen
from tui.screens.help import HelpScreen

SIZE = (120, 40)


def notes(app: AppBuilderApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_server_that_allows_purge_does_not_turn_dev_mode_on(live_server: LiveServer, fresh_user: dict,
                                                                    token_dir: Path) -> None:
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    app = AppBuilderApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.loaded,
                    what="dashboard")
        assert app.server_info is not None and app.server_info.allow_job_purge  # the server would allow it
        assert not app.dev_mode
        assert "purge" not in {b.binding.action for b in app.screen.active_bindings.values()
                               if b.binding.show and b.enabled}
        await pilot.press("P", "question_mark")  # keys are handled in order: P is done once help shows
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        assert not any(type(screen).__name__ == "TypedConfirmScreen" for screen in app.screen_stack)
        sections = app.screen.sections
        assert sections[0][0] == "Dashboard"
        assert all(description != "Purge all" for _, rows in sections for _, description in rows)
        assert any(key == "ctrl+p" for _, rows in sections for key, _ in rows)
    await app.client.aclose()


async def test_dev_mode_on_a_server_without_purge_says_so_at_once(make_server: Callable[..., LiveServer],
                                                                  token_dir: Path) -> None:
    server = make_server(allow_purge=False)
    server.register("devuser")
    client = await logged_in_client(server.url, token_dir, "devuser", "pass-word-123")
    await client.create_job("Keep me")
    app = AppBuilderApp(client, dev_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "ready",
                    what="dashboard with one job")
        await pilot.press("P")
        await until(pilot, lambda: any("turned off" in n for n in notes(app)), what="purge is off, in words")
        assert screen_name(app) == "DashboardScreen"  # nothing asked to type "purge"
        assert len(await client.list_jobs()) == 1
    await app.client.aclose()
