"""Every path the client uses, in one place: config file, saved sessions, log file.

Defaults are platformdirs' per-user dirs for "appbuilder-tui"; each can be moved with an env var (tests and
CI point them at temp dirs). Nothing here creates a directory: the code that writes a file does.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "appbuilder-tui"
CONFIG_DIR_ENV = "APPBUILDER_TUI_CONFIG_DIR"
CONFIG_FILE_ENV = "APPBUILDER_TUI_CONFIG_FILE"
LOG_DIR_ENV = "APPBUILDER_TUI_LOG_DIR"
CONFIG_FILE_NAME = "config.toml"
LOG_FILE_NAME = "tui.log"


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """The config file and the saved sessions (`profiles/`, `settings.json`)."""
    import platformdirs

    return _from_env(CONFIG_DIR_ENV) or platformdirs.user_config_path(APP_NAME)


def config_file(directory: Path | None = None) -> Path:
    """`config.toml` in `directory` if given (a flag beats the env), else APPBUILDER_TUI_CONFIG_FILE, else
    `config.toml` in the config dir."""
    if directory is not None:
        return directory / CONFIG_FILE_NAME
    return _from_env(CONFIG_FILE_ENV) or config_dir() / CONFIG_FILE_NAME


def log_dir() -> Path:
    import platformdirs

    return _from_env(LOG_DIR_ENV) or platformdirs.user_log_path(APP_NAME)


def log_file() -> Path:
    """Where the TUI writes unexpected errors (tokens redacted)."""
    return log_dir() / LOG_FILE_NAME
