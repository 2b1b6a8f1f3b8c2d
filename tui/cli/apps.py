"""`apps ...`: list, show, export (the files of a generated app, written under a directory)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.output import as_json, stamp, table
from tui.cli.parsers import JSON, add_action, command_group
from tui.printable import one_line

if TYPE_CHECKING:
    from tui.cli.context import Context
    from tui.services.client import ApiClient


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    actions = command_group(commands, "apps", "list, show, export generated apps")
    add_action(actions, common, "list", apps_list, "your apps, newest first", json_help=JSON)
    add_action(actions, common, "show", apps_show, "one app: files and architecture", id_help="app id",
               json_help="JSON output (includes the files' contents)")
    export = add_action(actions, common, "export", apps_export, "write the app's files under DIR",
                        id_help="app id", description="Write the app's files under DIR (created if "
                        "missing). Refuses to overwrite files without --force, and refuses any path that "
                        "would land outside DIR (absolute, .., or through a symbolic link).")
    export.add_argument("directory", type=Path, metavar="DIR")
    export.add_argument("--force", action="store_true", help="overwrite files that exist")


async def apps_list(ctx: Context, client: ApiClient) -> None:
    apps = await client.list_apps()
    if ctx.args.json:
        print(as_json(apps))
        return
    if not apps:
        print("No apps.")
    for item in apps:
        print(f"#{item.id:<6} job #{item.job:<6} {item.file_count:>3} files  {one_line(item.name)}  "
              f"{one_line(item.preview_url)}")


def show_app(app: Any) -> str:
    rows = [("app", f"#{app.id} {app.name}"), ("job", f"#{app.job}"), ("preview", app.preview_url or "-"),
            ("created", stamp(app.created_at)), ("about", app.description or "-")]
    files = "\n".join(f"  {one_line(f.path)}  ({one_line(f.language or '?')}, {len(f.content)} chars)"
                      for f in app.files)
    parts = "\n".join(f"  {one_line(c.name)} [{one_line(c.kind)}]" for c in app.architecture.components)
    return f"{table(rows)}\n\nfiles ({len(app.files)}):\n{files or '  -'}\n\ncomponents:\n{parts or '  -'}"


async def apps_show(ctx: Context, client: ApiClient) -> None:
    app = await client.get_app(ctx.args.id)
    print(as_json(app) if ctx.args.json else show_app(app))


async def apps_export(ctx: Context, client: ApiClient) -> None:
    import asyncio

    from tui.services.export import export_files

    app = await client.get_app(ctx.args.id)
    written = await asyncio.to_thread(export_files, app.files, ctx.args.directory, ctx.args.force)
    for path in written:  # the server's file names, as written on disk: printed without terminal controls
        print(one_line(str(path)))
    print(f"Wrote {len(written)} file{'s' if len(written) != 1 else ''} of app #{app.id} to "
          f"{ctx.args.directory}.", file=sys.stderr)
