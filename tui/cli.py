"""`appbuilder-tui`: the TUI, `--demo`, `server ...`, and non-interactive helpers (jobs/apps) for scripts."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_SERVER = "http://127.0.0.1:8000"
CONFIG_ENV = "APPBUILDER_TUI_CONFIG_DIR"


SERVER_EXTRA_HINT = ("the reference server is not installed: "
                     "python3 -m pip install 'appbuilder-tui[server]' (or -e '.[server]' in a checkout)")


class CliError(Exception):
    """A one-line error for the user; exit code 1."""


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


def build_parser() -> argparse.ArgumentParser:
    from tui import __version__

    parser = argparse.ArgumentParser(prog="appbuilder-tui", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--server", metavar="URL", help="server URL (default: the last one used)")
    parser.add_argument("--dev", action="store_true", help="dev mode: purge and message tools")
    parser.add_argument("--demo", action="store_true", help="start a seeded local server and log in as demo")
    parser.add_argument("--config-dir", metavar="DIR", type=Path, default=os.environ.get(CONFIG_ENV),
                        help=f"where sessions are saved (env {CONFIG_ENV})")
    common = argparse.ArgumentParser(add_help=False)  # also accepted after the subcommand
    common.add_argument("--server", metavar="URL", default=argparse.SUPPRESS, help="server URL")
    common.add_argument("--config-dir", metavar="DIR", type=Path, default=argparse.SUPPRESS,
                        help="where sessions are saved")
    commands = parser.add_subparsers(dest="command", metavar="{server,jobs,apps}")
    commands.add_parser("server", help="run the reference backend (python -m server ...)")
    jobs = commands.add_parser("jobs", help="list, create or purge jobs").add_subparsers(dest="action",
                                                                                        required=True)
    jobs_list = jobs.add_parser("list", help="your jobs, newest first", parents=[common])
    jobs_list.add_argument("--json", action="store_true", help="JSON output")
    jobs_create = jobs.add_parser("create", help="create a job from a prompt", parents=[common])
    jobs_create.add_argument("prompt")
    jobs_create.add_argument("--json", action="store_true", help="JSON output")
    jobs_purge = jobs.add_parser("purge", help="delete all your jobs (if allowed)", parents=[common])
    jobs_purge.add_argument("--yes", action="store_true", help="really delete them")
    apps = commands.add_parser("apps", help="list generated apps").add_subparsers(dest="action",
                                                                                  required=True)
    apps_list = apps.add_parser("list", help="your apps, newest first", parents=[common])
    apps_list.add_argument("--json", action="store_true", help="JSON output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list[:1] == ["server"]:
            require_server_extra()
            from server.run import main as server_main

            return int(server_main(args_list[1:]) or 0)
        args = build_parser().parse_args(args_list)
        if args.command in ("jobs", "apps"):
            return asyncio.run(run_helper(args))
        from tui.logs import setup_logging

        setup_logging()
        if args.demo:
            require_server_extra()
            from tui.demo import run_demo

            return asyncio.run(run_demo())
        return asyncio.run(run_tui(args))
    except CliError as err:
        print(f"appbuilder-tui: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - the promise is one line, never a traceback
        from tui.services import ServiceError

        text = err.message if isinstance(err, ServiceError) else f"{type(err).__name__}: {err}"
        print(f"appbuilder-tui: {text}", file=sys.stderr)
        return 1


def make_store(args: argparse.Namespace) -> Any:
    from tui.services.tokens import TokenStore

    return TokenStore(args.config_dir) if args.config_dir else TokenStore()


def server_url(args: argparse.Namespace, store: Any) -> str:
    if args.server:
        return str(args.server).rstrip("/")
    last = getattr(store, "last_server", None)
    last = last() if callable(last) else last
    return str(last).rstrip("/") if last else DEFAULT_SERVER


async def run_tui(args: argparse.Namespace) -> int:
    from tui.app import AppBuilderApp
    from tui.services.client import ApiClient

    store = make_store(args)
    client = ApiClient(server_url(args, store), token_store=store)
    app = AppBuilderApp(client, dev_mode=args.dev)
    try:
        await app.run_async()
    finally:
        if app.client is not client:
            await app.client.aclose()
        await client.aclose()
    return app.return_code or 0


# ----- non-interactive helpers -------------------------------------------------------------------------
def dump(items: Sequence[Any]) -> str:
    return json.dumps([item.model_dump(mode="json") for item in items], indent=2)


async def run_helper(args: argparse.Namespace) -> int:
    from tui.services import ServiceError
    from tui.services.client import ApiClient

    store = make_store(args)
    url = server_url(args, store)
    client = ApiClient(url, token_store=store)
    try:
        if await client.restore_session() is None:
            raise CliError(f"not logged in to {url}: run `appbuilder-tui --server {url}` and log in first")
        await HELPERS[(args.command, args.action)](client, args)
    except ServiceError as err:
        raise CliError(err.message) from None
    finally:
        await client.aclose()
    return 0


async def jobs_list(client: Any, args: argparse.Namespace) -> None:
    jobs = await client.list_jobs()
    if args.json:
        print(dump(jobs))
        return
    if not jobs:
        print("No jobs.")
    for job in jobs:
        print(f"#{job.id:<6} {job.status:<11} {(job.current_stage or '-'):<13} {job.title}")


async def jobs_create(client: Any, args: argparse.Namespace) -> None:
    job = await client.create_job(args.prompt)
    if args.json:
        print(json.dumps(job.model_dump(mode="json"), indent=2))
    else:
        print(f"Created job #{job.id}: {job.title}")


async def jobs_purge(client: Any, args: argparse.Namespace) -> None:
    if not args.yes:
        raise CliError("purge deletes ALL your jobs: add --yes to confirm")
    count = await client.purge_jobs()
    print(f"Deleted {count} job{'s' if count != 1 else ''}.")


async def apps_list(client: Any, args: argparse.Namespace) -> None:
    apps = await client.list_apps()
    if args.json:
        print(dump(apps))
        return
    if not apps:
        print("No apps.")
    for item in apps:
        print(f"#{item.id:<6} job #{item.job:<6} {item.file_count:>3} files  {item.name}  {item.preview_url}")


HELPERS = {("jobs", "list"): jobs_list, ("jobs", "create"): jobs_create, ("jobs", "purge"): jobs_purge,
           ("apps", "list"): apps_list}
