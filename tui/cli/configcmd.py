"""`config path` and `config show`: where the config file is, and what the settings add up to."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from tui import locations
from tui.cli.parsers import JSON, add_action, command_group

if TYPE_CHECKING:
    from tui.cli.context import Context
    from tui.services.client import ApiClient


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    actions = command_group(commands, "config", "where the config file is and what it sets")
    path = add_action(actions, common, "path", config_path, "print the config file's path", needs="nothing")
    path.add_argument("--all", action="store_true", help="also the sessions dir and the log file")
    add_action(actions, common, "show", config_show,
               "print the settings in effect (file < env < flags), secrets hidden", needs="settings",
               json_help=JSON)


def config_path(args: argparse.Namespace) -> None:
    """Works even when the file is broken: that is when one needs to find it."""
    config_dir = getattr(args, "config_dir", None)
    file = locations.config_file(config_dir)
    if not args.all:
        print(file)
        return
    print(f"config file  {file}{'' if file.exists() else '  (missing: defaults apply)'}")
    print(f"sessions     {(config_dir or locations.config_dir()) / 'profiles'}")
    print(f"log file     {locations.log_file()}")


async def config_show(ctx: Context, client: ApiClient) -> None:
    data = ctx.settings.public()
    if ctx.args.json:
        print(json.dumps({**data, "server_used": ctx.server_url, "config_file": str(ctx.config_file)},
                         indent=2))
        return
    state = "" if ctx.config_file.exists() else "  (missing: defaults apply)"
    print(f"# config file: {ctx.config_file}{state}\n# server used: {ctx.server_url}\n{to_toml(data)}")


def to_toml(data: dict[str, Any]) -> str:
    """Flat keys first, then one table per dict; unset keys as comments (TOML has no null)."""
    from tui.config import toml_value

    lines: list[str] = []
    tables: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict) and not value:
            lines.append(f"# [{key}] (none)")
        elif isinstance(value, dict):
            tables.append(f"\n[{key}]")
            tables.extend(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        elif value is None:
            lines.append(f"# {key} = (not set)")
        else:
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines + tables)
