"""`login` and `logout`: the saved session for a server (the one the TUI uses too)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from tui.cli.exits import USAGE, CliError
from tui.printable import one_line

if TYPE_CHECKING:
    from tui.cli.context import Context
    from tui.services.client import ApiClient


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    login_parser = commands.add_parser("login", parents=[common], help="log in and save the session",
                                       description="Log in and save the session (mode 0600). Prompts in a "
                                       "terminal; for scripts: --username NAME --password-stdin.")
    login_parser.add_argument("--username", metavar="NAME")
    login_parser.add_argument("--password-stdin", action="store_true",
                              help="read the password from the first line of stdin")
    login_parser.set_defaults(handler=login, needs="client")
    logout_parser = commands.add_parser("logout", parents=[common], help="revoke and forget the session")
    logout_parser.set_defaults(handler=logout, needs="client")


def credentials(args: argparse.Namespace) -> tuple[str, str]:
    username = (args.username or "").strip()
    if args.password_stdin:
        if not username:
            raise CliError("--password-stdin needs --username NAME", USAGE)
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise CliError("stdin is not a terminal: use --username NAME --password-stdin", USAGE)
        username = username or input("Username: ").strip()
        password = getpass.getpass("Password: ")
    if not username or not password:
        raise CliError("the username and the password must not be empty", USAGE)
    return username, password


async def login(ctx: Context, client: ApiClient) -> None:
    username, password = credentials(ctx.args)
    await client.server_info()  # "… is not an appbuilder server" beats a puzzling login error
    user = await client.login(username, password)
    print(f"Logged in to {ctx.server_url} as {one_line(user.username)}.")


async def logout(ctx: Context, client: ApiClient) -> None:
    from tui.services import ServiceError

    if client.token_store.load(ctx.server_url) is None:
        print(f"Not logged in to {ctx.server_url}.")
        return
    unreached = ""
    try:
        await client.restore_session()
    except ServiceError as err:
        unreached = one_line(err.message)
    await client.logout()
    print(f"Logged out of {ctx.server_url}.")
    if unreached:
        print(f"appbuilder-tui: the saved session was removed, but the server could not revoke it: "
              f"{unreached}", file=sys.stderr)
