"""Issue 15: the config file's theme and keymap apply in the TUI; a theme picked in the palette is saved."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.command import CommandList

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, screen_name, until
from tui.app import AppBuilderApp
from tui.config import Settings

SIZE = (120, 40)


async def test_theme_and_keymap_from_settings_apply(live_server: LiveServer, fresh_user: dict,
                                                    token_dir: Path) -> None:
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    settings = Settings(theme="textual-light", keymap={"app.help": "f2"})
    app = AppBuilderApp(client, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard")
        assert app.theme == "textual-light"
        await pilot.press("f2")
        await until(pilot, lambda: screen_name(app) == "HelpScreen", what="help opened by the rebound f2")
    await client.aclose()


async def test_theme_picked_in_palette_is_saved(live_server: LiveServer, fresh_user: dict, token_dir: Path,
                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# mine\ntimeout = 5.0\n\n[profiles]\nlocal = "http://127.0.0.1:8000"\n')
    monkeypatch.setenv("APPBUILDER_TUI_CONFIG_FILE", str(config))
    client = await logged_in_client(live_server.url, token_dir, fresh_user["username"],
                                    fresh_user["password"])
    app = AppBuilderApp(client)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="dashboard")
        assert "theme" not in tomllib.loads(config.read_text())  # starting up writes nothing
        app.action_change_theme()
        await until(pilot, lambda: screen_name(app) == "CommandPalette", what="theme palette")
        await pilot.press(*"dracula")
        hits = app.screen.query_one(CommandList)
        await until(pilot, lambda: hits.option_count == 1, what="one theme hit for 'dracula'")
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.theme == "dracula", what="dracula theme applied")
    saved = tomllib.loads(config.read_text())
    assert saved["theme"] == "dracula"
    assert saved["timeout"] == 5.0 and saved["profiles"] == {"local": "http://127.0.0.1:8000"}
    assert config.read_text().startswith("# mine\n")
    await client.aclose()
