"""Every path comes from tui.locations: the token store and the log follow its env overrides."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from tui import locations
from tui.logs import log_path
from tui.services.tokens import TokenStore


def test_defaults_are_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (locations.CONFIG_DIR_ENV, locations.CONFIG_FILE_ENV, locations.LOG_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    config = platformdirs.user_config_path("appbuilder-tui")
    assert locations.config_dir() == config == TokenStore().directory
    assert locations.config_file() == config / "config.toml"
    assert locations.log_file() == platformdirs.user_log_path("appbuilder-tui") / "tui.log" == log_path()


def test_env_overrides_move_everything(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(locations.CONFIG_DIR_ENV, str(tmp_path / "cfg"))
    monkeypatch.setenv(locations.LOG_DIR_ENV, str(tmp_path / "logs"))
    assert TokenStore().directory == tmp_path / "cfg"
    assert locations.config_file() == tmp_path / "cfg" / "config.toml"
    assert log_path() == locations.log_file() == tmp_path / "logs" / "tui.log"
    monkeypatch.setenv(locations.CONFIG_FILE_ENV, str(tmp_path / "elsewhere.toml"))
    assert locations.config_file() == tmp_path / "elsewhere.toml"
    assert locations.config_file(tmp_path / "flag") == tmp_path / "flag" / "config.toml"  # a flag beats env
