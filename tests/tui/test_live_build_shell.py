"""The build/app screens inside the real AppBuilderApp shell: routing by messages, escape goes back."""

from __future__ import annotations

from pathlib import Path

from textual.screen import ModalScreen

from tests.support.live_server import LiveServer
from tests.tui.harness import finished_job, login, wait_for
from tui.app import AppBuilderApp
from tui.messages import OpenApps, OpenJob, OpenProfile
from tui.screens.app_detail import AppDetailScreen
from tui.screens.apps import AppsScreen
from tui.screens.live_build import LiveBuildScreen
from tui.screens.profile import ProfileScreen


async def test_routing_through_the_shell(live_server: LiveServer, fresh_user: dict, tmp_path: Path) -> None:
    setup = await login(live_server.url, tmp_path, fresh_user["username"], fresh_user["password"])
    job = await finished_job(setup)
    await setup.aclose()

    from tui.services.client import ApiClient
    from tui.services.tokens import TokenStore

    app = AppBuilderApp(ApiClient(live_server.url, token_store=TokenStore(tmp_path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DashboardScreen", what="dashboard")
        app.post_message(OpenJob(job.id))
        await wait_for(pilot, lambda: isinstance(app.screen, LiveBuildScreen), what="live build")
        build = app.screen
        await wait_for(pilot, lambda: build.app_ready is not None and build.connection == "live",
                       what="app ready")
        assert app.connection_state == "live"
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, AppDetailScreen), what="app detail")
        await wait_for(pilot, lambda: app.screen.state == "ready", what="app loaded")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is build, what="back to the build")

        app.post_message(OpenApps())
        await wait_for(pilot, lambda: isinstance(app.screen, AppsScreen), what="apps")
        await wait_for(pilot, lambda: app.screen.state == "ready", what="apps loaded")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AppDetailScreen), what="detail from list")
        assert app.screen.app_id == job.app_id

        app.post_message(OpenProfile())
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen), what="profile")
        await wait_for(pilot, lambda: app.screen.state == "ready", what="profile loaded")
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, ModalScreen), what="confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LoginScreen", what="login after logout")
    await app.client.aclose()
