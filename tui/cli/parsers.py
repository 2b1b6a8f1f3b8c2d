"""Building blocks for the command groups (`jobs`, `apps`, `messages`, `config`): one place that says how a
group and its actions are declared, so every action takes the common options and says what it needs."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Actions = Any  # argparse's sub-parsers action (a private class)
JSON = "JSON output"


def command_group(commands: Actions, name: str, help_text: str) -> Actions:
    """`appbuilder-tui NAME ACTION ...`: the group's parser, returning where its actions go."""
    group = commands.add_parser(name, help=help_text)
    return group.add_subparsers(dest="action", required=True, metavar="ACTION")


def add_action(actions: Actions, common: argparse.ArgumentParser, name: str, handler: Callable[..., Any],
               help_text: str, *, needs: str = "session", description: str | None = None,
               id_help: str | None = None, json_help: str | None = None) -> argparse.ArgumentParser:
    """One action: the common options, an `ID` argument when `id_help` is given, `--json` when `json_help`
    is, and what the runner must set up before calling `handler` (`needs`: nothing, settings, client,
    session)."""
    parser = actions.add_parser(name, parents=[common], help=help_text, description=description)
    if id_help is not None:
        parser.add_argument("id", type=int, metavar="ID", help=id_help)
    if json_help is not None:
        parser.add_argument("--json", action="store_true", help=json_help)
    parser.set_defaults(handler=handler, needs=needs)
    return parser
