"""`messages ...` (dev tools): list a job's messages, delete one."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tui.cli.exits import USAGE, CliError
from tui.cli.output import as_json, stamp
from tui.cli.parsers import JSON, add_action, command_group
from tui.printable import one_line

if TYPE_CHECKING:
    from tui.cli.context import Context
    from tui.services.client import ApiClient


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    actions = command_group(commands, "messages", "a job's messages (dev tools)")
    listing = add_action(actions, common, "list", messages_list, "a job's messages, oldest first",
                         json_help=JSON)
    listing.add_argument("job", type=int, metavar="JOB", help="job id")
    add_action(actions, common, "delete", messages_delete, "delete one message (needs dev mode)",
               id_help="message id")


async def messages_list(ctx: Context, client: ApiClient) -> None:
    messages = await client.list_messages(ctx.args.job)
    if ctx.args.json:
        print(as_json(messages))
        return
    if not messages:
        print("No messages.")
    for m in messages:
        text = " ".join(one_line(m.content).split()) or "-"
        print(f"#{m.id:<7} {stamp(m.created_at)}  {one_line(m.kind):<6} {one_line(m.role):<6} {text[:100]}")


async def messages_delete(ctx: Context, client: ApiClient) -> None:
    if not ctx.settings.dev:
        raise CliError("deleting messages is a dev tool: add --dev (or dev = true in the config)", USAGE)
    await client.delete_message(ctx.args.id)
    print(f"Deleted message #{ctx.args.id}.")
