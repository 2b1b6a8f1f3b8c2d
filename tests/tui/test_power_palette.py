"""Issue 15: the palette opens a job or an app by typing part of its title (real server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.command import CommandList, CommandPalette

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, screen_name, until
from tests.tui.harness import finished_job
from tui.app import AppBuilderApp

SIZE = (120, 40)


def hit_titles(options: CommandList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt).splitlines()[0] for i in range(options.option_count)]



async def pick(pilot: Any, typed: str, wanted: str) -> None:
    """Open the palette, type, check `wanted` is the first hit, and choose it."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
    await pilot.press(*typed)
    options = app.screen.query_one(CommandList)
    await until(pilot, lambda: wanted in hit_titles(options), what=f"hit {wanted!r}")
    assert hit_titles(options)[0] == wanted
    await pilot.press("down", "enter")

async def test_palette_opens_a_job_and_an_app_by_title(live_server: LiveServer, fresh_user: dict,
                                                       token_dir: Path) -> None:
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    job = await client.create_job("A quokka sighting logger for park rangers")
    built = await finished_job(client, "A walrus census tool")
    app_model = await client.get_app(built.app_id)
    app = AppBuilderApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard")
        await pick(pilot, "quokka", f"Job #{job.id}: A quokka sighting logger for park rangers")
        await until(pilot, lambda: screen_name(app) == "LiveBuildScreen", what="live build opened")
        assert app.screen.job_id == job.id  # type: ignore[attr-defined]

        await pick(pilot, f"App: {app_model.name[:6]}", f"App: {app_model.name}")
        await until(pilot, lambda: screen_name(app) == "AppDetailScreen", what="app detail opened")
        assert app.screen.app_id == app_model.id  # type: ignore[attr-defined]
    await client.aclose()
