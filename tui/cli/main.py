"""`appbuilder-tui`: the TUI, `--demo`, `server ...`, and commands for scripts (login, jobs, apps, ...)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from tui.cli import apps, configcmd, jobs, messages, session
from tui.cli.exits import HELP, USAGE, CliError, code_for
from tui.printable import one_line

if TYPE_CHECKING:
    from tui.app import AppBuilderApp
    from tui.early_splash import EarlySplash

DESCRIPTION = """\
A keyboard-driven dashboard for the app-builder service (no command: the TUI), and commands for scripts
on the same session. Settings: config.toml (`config path`), then APPBUILDER_TUI_* env vars, then flags."""

SERVER_EXTRA_HINT = ("the reference server is not installed: "
                     "python3 -m pip install 'appbuilder-tui[server]' (or -e '.[server]' in a checkout)")


def require_server_extra() -> None:
    """`--demo` and `server` need the `server` extra; say how to get it instead of an ImportError."""
    from importlib.util import find_spec

    for name in ("django", "rest_framework", "rest_framework_simplejwt", "channels", "uvicorn"):
        try:
            found = find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise CliError(SERVER_EXTRA_HINT)


def add_common(parser: argparse.ArgumentParser, default: Any) -> None:
    """Options every command takes, before or after the command name."""
    parser.add_argument("--server", metavar="URL", default=default,
                        help="server URL (default: profile, config, or the last one used)")
    parser.add_argument("--profile", metavar="NAME", default=default, help="a server from [profiles]")
    parser.add_argument("--dev", action="store_true", default=default or False,
                        help="dev mode: purge and message tools")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=default,
                        help="seconds to wait for the server (default 10)")
    parser.add_argument("--config-dir", metavar="DIR", type=Path, default=default,
                        help="config.toml and saved sessions (env APPBUILDER_TUI_CONFIG_DIR)")


COMMANDS = ("server", "login", "logout", "jobs", "apps", "messages", "config")  # the parser's, in its order


def names_a_command(args: Sequence[str]) -> bool:
    """A command's name or a help flag (`--he`: argparse takes prefixes) is among `args`."""
    return any(arg in COMMANDS or arg == "-h" or (len(arg) > 2 and "--help".startswith(arg)) for arg in args)


def build_parser(args: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; given `args` that name no command and ask for no help (a TUI start), the
    commands are declared by name only: declaring every action's options is ~12 ms of a start's CPU, and
    the parse, its errors and its usage line are the same without them."""
    from tui import __version__

    parser = argparse.ArgumentParser(prog="appbuilder-tui", description=DESCRIPTION, epilog=HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_common(parser, None)
    parser.add_argument("--demo", action="store_true", help="start a seeded local server and log in as demo")
    common = argparse.ArgumentParser(add_help=False)
    add_common(common, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    if args is not None and not names_a_command(args):
        for name in COMMANDS:
            commands.add_parser(name)
        return parser
    commands.add_parser("server", help="run the reference backend (server --help for its options)")
    for module in (session, jobs, apps, messages, configcmd):
        module.register(commands, common)
    return parser


class SkipHttpxCli:
    """httpx imports its own command-line client (click, pygments' lexers, rich.progress: tens of ms)
    whenever click is installed, which the server extra brings. This process never runs it, so the import
    fails the way httpx expects when click is missing (it then defines a stub `httpx.main`)."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if name == "httpx._main":
            raise ImportError("httpx's command-line client is not used by appbuilder-tui")


def skip_httpx_cli() -> None:
    if not any(isinstance(finder, SkipHttpxCli) for finder in sys.meta_path):
        sys.meta_path.insert(0, SkipHttpxCli())


def skip_pydantic_plugins() -> None:
    """pydantic looks for plugins in every installed package's entry points when it builds its first
    model (~15 ms of a start); this program uses none. Its documented switch, unless the user set it."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command or the TUI. Modules are imported where they are needed: `--help` and `--version`
    load no asyncio, pydantic, httpx or Textual."""
    skip_httpx_cli()
    skip_pydantic_plugins()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list[:1] == ["server"]:
            require_server_extra()
            from server.run import main as server_main

            return int(server_main(args_list[1:]) or 0)
        try:
            args = build_parser(args_list).parse_args(args_list)
        except SystemExit as done:  # --help, --version (0) or a usage error (2, already printed)
            return done.code if isinstance(done.code, int) else USAGE
        import asyncio

        if args.command:
            return asyncio.run(run_command(args))
        if args.demo:
            require_server_extra()
            from tui.demo import run_demo
            from tui.logs import setup_logging

            setup_logging()
            return asyncio.run(run_demo())
        from tui.early_splash import EarlySplash

        splash = EarlySplash()
        splash.paint()  # the terminal's first frame, before Textual is imported
        try:
            return asyncio.run(run_tui(args, splash))
        finally:
            splash.withdraw()  # if Textual never took the terminal (it leaves the screen itself)
    except CliError as err:  # its message may quote the server (a detail, a file path): no terminal controls
        print(f"appbuilder-tui: {one_line(err.message)}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as err:  # noqa: BLE001 - the promise is one line, never a traceback
        from tui.services import ServiceError

        if isinstance(err, ServiceError):
            print(f"appbuilder-tui: {one_line(err.message)}", file=sys.stderr)
            return code_for(err)
        print(one_line(f"appbuilder-tui: {type(err).__name__}: {err}".splitlines()[0]), file=sys.stderr)
        return 1


async def run_command(args: argparse.Namespace) -> int:
    """Run one script command: settings, then (if it needs one) a client and the session."""
    from tui.cli.context import Context

    if args.needs == "nothing":
        return args.handler(args) or 0
    ctx = Context.load(args)
    if args.needs == "settings":
        return await args.handler(ctx, None) or 0
    client = ctx.client(saved_session=args.needs == "client")
    try:
        if args.needs == "session":
            await ctx.sign_in(client)
        return await args.handler(ctx, client) or 0
    finally:
        await client.aclose()


def import_app() -> None:
    """Textual, the app and its first screen: imported in a thread while the start-up requests travel."""
    import tui.app  # noqa: F401
    import tui.screens.dashboard  # noqa: F401


async def run_tui(args: argparse.Namespace, splash: EarlySplash | None = None) -> int:
    """The settings and the client first, then the start-up requests (tui/start_requests.py); Textual is
    imported in a thread while they travel (the terminal already shows the early splash, and the
    dashboard's rows as soon as they are in: tui/early_splash.py)."""
    import asyncio

    # Start-up creates tens of thousands of long-lived objects (modules, classes, the app) and no garbage
    # worth a pass: the collector would scan them again and again (~10% of start-up CPU). It is paused until
    # the app is made; the start-up objects are then frozen (never scanned again) and collection resumes.
    gc.disable()
    try:
        from tui.cli.context import Context
        from tui.logs import setup_logging
        from tui.start_requests import StartRequests

        ctx = Context.load(args)
        setup_logging()
        client = ctx.client(saved_session=True)
    except BaseException:
        gc.enable()
        raise
    start = StartRequests(client)
    early_rows = None if splash is None else asyncio.ensure_future(
        splash.rows_when_ready(start, client.server_url))
    app: AppBuilderApp | None = None
    try:
        await asyncio.to_thread(import_app)
        if early_rows is not None:  # from here on the terminal is Textual's to draw
            early_rows.cancel()
            await asyncio.wait([early_rows])
        if splash is not None:
            splash.give_back_keys()  # the modes Textual's driver saves (and restores when it leaves)
        from tui.app import AppBuilderApp

        app = AppBuilderApp(client, dev_mode=ctx.settings.dev, settings=ctx.settings,
                            client_factory=ctx.client_for, start=start,
                            on_screen=None if splash is None else splash.handed_over,
                            early_rows=splash is not None and splash.rows_shown)
        gc.freeze()
        gc.enable()
        await app.run_async()
    finally:
        if early_rows is not None and not early_rows.done():
            early_rows.cancel()
        gc.enable()  # if the app was never made
        if app is None or app.start_requests is not None:  # its boot never read them
            await start.aclose()
        if app is not None and app.client is not client:  # logged in to another server meanwhile
            await app.client.aclose()
        await client.aclose()
    return app.return_code or 0
