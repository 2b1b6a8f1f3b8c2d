"""`messages ...` (dev tools): list a job's messages, delete one."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from tui.cli.exits import USAGE, CliError
from tui.cli.output import as_json, stamp

if TYPE_CHECKING:
    from tui.cli.context import Context


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    messages = commands.add_parser("messages", help="a job's messages (dev tools)")
    actions = messages.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[common], help="a job's messages, oldest first")
    listing.add_argument("job", type=int, metavar="JOB", help="job id")
    listing.add_argument("--json", action="store_true", help="JSON output")
    listing.set_defaults(handler=messages_list, needs="session")
    delete = actions.add_parser("delete", parents=[common], help="delete one message (needs dev mode)")
    delete.add_argument("id", type=int, metavar="ID", help="message id")
    delete.set_defaults(handler=messages_delete, needs="session")


async def messages_list(ctx: Context, client: Any) -> None:
    messages = await client.list_messages(ctx.args.job)
    if ctx.args.json:
        print(as_json(messages))
        return
    if not messages:
        print("No messages.")
    for m in messages:
        text = " ".join(m.content.split()) or "-"
        print(f"#{m.id:<7} {stamp(m.created_at)}  {m.kind:<6} {m.role:<6} {text[:100]}")


async def messages_delete(ctx: Context, client: Any) -> None:
    if not ctx.settings.dev:
        raise CliError("deleting messages is a dev tool: add --dev (or dev = true in the config)", USAGE)
    await client.delete_message(ctx.args.id)
    print(f"Deleted message #{ctx.args.id}.")
