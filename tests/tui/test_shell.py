"""App shell against the real server: routing of navigation messages, command palette, global guard."""

from __future__ import annotations

from pathlib import Path

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, screen_name, until
from tui.app import AppBuilderApp
from tui.messages import JobsChanged, OpenApps, OpenDashboard, OpenProfile
from tui.screens.dashboard import DashboardScreen
from tui.services import ServerUnavailable
from tui.widgets.connection import ConnectionIndicator

SIZE = (120, 40)


async def start(server: LiveServer, user: dict, token_dir: Path) -> AppBuilderApp:
    client = await logged_in_client(server.url, token_dir, user["username"], user["password"])
    return AppBuilderApp(client)


def on_dashboard(app: AppBuilderApp) -> bool:
    return isinstance(app.screen, DashboardScreen) and app.screen.state in ("ready", "empty")


async def test_navigation_messages_route(live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_dashboard(app))
        app.post_message(OpenApps())
        await until(pilot, lambda: screen_name(app) == "AppsScreen", what="apps")
        app.post_message(OpenProfile())
        await until(pilot, lambda: screen_name(app) == "ProfileScreen", what="profile")
        app.post_message(OpenDashboard())
        await until(pilot, lambda: on_dashboard(app), what="dashboard")
        assert [type(s).__name__ for s in app.screen_stack][1:] == ["DashboardScreen"]
        await pilot.press("a")
        await until(pilot, lambda: screen_name(app) == "AppsScreen")
        await pilot.press("escape")
        await until(pilot, lambda: on_dashboard(app))
        await pilot.press("p")
        await until(pilot, lambda: screen_name(app) == "ProfileScreen")
    await app.client.aclose()


async def test_command_palette_runs_actions(live_server: LiveServer, fresh_user: dict,
                                            token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_dashboard(app))
        await pilot.press("ctrl+p")
        await until(pilot, lambda: screen_name(app) == "CommandPalette", what="palette")
        await pilot.press(*"new project")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: screen_name(app) == "CreateProjectScreen", what="create via palette")
    await app.client.aclose()


async def test_jobs_changed_reloads_dashboard(live_server: LiveServer, fresh_user: dict,
                                              token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_dashboard(app))
        assert not app.screen.jobs  # type: ignore[attr-defined]
        job = await app.client.create_job("Created elsewhere")
        app.post_message(JobsChanged(job.id))
        await until(pilot, lambda: [j.id for j in app.screen.jobs] == [job.id],  # type: ignore[attr-defined]
                    what="reloaded")
    await app.client.aclose()


async def test_global_guard_turns_errors_into_notifications(live_server: LiveServer, fresh_user: dict,
                                                             token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_dashboard(app))

        async def failing() -> None:
            raise ServerUnavailable("Server unreachable at http://nowhere (connection refused)")

        app.run_worker(failing(), exit_on_error=True)
        await until(pilot, lambda: any("unreachable" in n.message for n in app._notifications),
                    what="notification")
        assert app.is_running and on_dashboard(app)
    await app.client.aclose()


async def test_connection_indicator_follows_app(live_server: LiveServer, fresh_user: dict,
                                                token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        # loaded: the end of the list's load says "live" (a request just succeeded), after the first page
        await until(pilot, lambda: on_dashboard(app) and app.screen.loaded and not app.screen.is_loading,
                    what="the dashboard's list loaded")
        indicator = app.screen.query_one(ConnectionIndicator)
        assert indicator.state == "live"
        app.connection_state = "reconnecting"
        await pilot.pause()
        assert indicator.state == "reconnecting" and indicator.has_class("-reconnecting")
        app.connection_state = "offline"
        await pilot.pause()
        assert "offline" in str(indicator.render())
    await app.client.aclose()


async def test_palette_lists_and_runs_screen_actions(live_server: LiveServer, fresh_user: dict,
                                                     token_dir: Path) -> None:
    app = await start(live_server, fresh_user, token_dir)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: on_dashboard(app))
        from tui.commands import screen_actions

        titles = [title for title, *_ in screen_actions(app.screen)]
        assert {"Delete", "Filter", "Sort", "Refresh"} <= set(titles), titles
        assert "New project" not in titles and "Quit" not in titles  # those are the app's own entries
        await pilot.press("ctrl+p")
        await until(pilot, lambda: screen_name(app) == "CommandPalette", what="palette")
        await pilot.press(*"filter")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: on_dashboard(app) and app.focused is not None
                    and app.focused.id == "dash-filter", what="filter box focused via palette")
    await app.client.aclose()
