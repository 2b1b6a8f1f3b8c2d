"""Printing for scripts: JSON for `--json`, short aligned lines otherwise, text from an argument or stdin.

The server's words are printed without terminal controls (tui/printable.py: `one_line` for a field on a
line, `printable` for multi-line text such as a prompt). JSON needs nothing more: `json.dumps` escapes every
control character but DEL (ensure_ascii, the default, writes C1 controls as \\u0080-\\u009f too), and DEL
starts no sequence.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tui.cli.exits import USAGE, CliError
from tui.printable import printable


def as_json(value: Any) -> str:
    if isinstance(value, list):
        return json.dumps([item.model_dump(mode="json") for item in value], indent=2)
    return json.dumps(value.model_dump(mode="json"), indent=2)


def stamp(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


def table(rows: Sequence[tuple[str, Any]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {printable(str(value))}" for name, value in rows)


EVENT_NAMES = {"appready": "app", "jobgone": "gone", "apifallback": "fallback", "jobsnapshot": "snapshot"}


def event_line(event: Any) -> str:
    """One socket event as a JSON object on one line: {"event": "step", ...its fields}."""
    name = type(event).__name__.removesuffix("Event").lower()
    data = {"event": EVENT_NAMES.get(name, name),
            **{field.name: getattr(event, field.name) for field in dataclasses.fields(event)}}
    return json.dumps(data, default=json_default)


def json_default(value: Any) -> Any:
    from pydantic import BaseModel  # here: `--help` and the TUI's start-up do not need pydantic

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return str(value)


def text_argument(value: str | None, what: str) -> str:
    """`value`, or stdin when it is `-` (or missing and stdin is not a terminal); stripped, never empty."""
    if value is None or value == "-":
        if value is None and sys.stdin.isatty():
            raise CliError(f"give the {what} as an argument, or `-` to read it from stdin", USAGE)
        value = sys.stdin.read()
    text = value.strip()
    if not text:
        raise CliError(f"the {what} is empty", USAGE)
    return text
