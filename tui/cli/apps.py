"""`apps ...`: list, show, export (the files of a generated app, written under a directory)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.output import as_json, stamp, table

if TYPE_CHECKING:
    from tui.cli.context import Context


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    apps = commands.add_parser("apps", help="list, show, export generated apps")
    actions = apps.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", parents=[common], help="your apps, newest first")
    listing.add_argument("--json", action="store_true", help="JSON output")
    listing.set_defaults(handler=apps_list, needs="session")
    show = actions.add_parser("show", parents=[common], help="one app: files and architecture")
    show.add_argument("id", type=int, metavar="ID", help="app id")
    show.add_argument("--json", action="store_true", help="JSON output (includes the files' contents)")
    show.set_defaults(handler=apps_show, needs="session")
    export = actions.add_parser("export", parents=[common], help="write the app's files under DIR",
                                description="Write the app's files under DIR (created if missing). Refuses "
                                "to overwrite files without --force, and refuses any path that would land "
                                "outside DIR (absolute, .., or through a symbolic link).")
    export.add_argument("id", type=int, metavar="ID", help="app id")
    export.add_argument("directory", type=Path, metavar="DIR")
    export.add_argument("--force", action="store_true", help="overwrite files that exist")
    export.set_defaults(handler=apps_export, needs="session")


async def apps_list(ctx: Context, client: Any) -> None:
    apps = await client.list_apps()
    if ctx.args.json:
        print(as_json(apps))
        return
    if not apps:
        print("No apps.")
    for item in apps:
        print(f"#{item.id:<6} job #{item.job:<6} {item.file_count:>3} files  {item.name}  {item.preview_url}")


def show_app(app: Any) -> str:
    rows = [("app", f"#{app.id} {app.name}"), ("job", f"#{app.job}"), ("preview", app.preview_url or "-"),
            ("created", stamp(app.created_at)), ("about", app.description or "-")]
    files = "\n".join(f"  {f.path}  ({f.language or '?'}, {len(f.content)} chars)" for f in app.files)
    parts = "\n".join(f"  {c.name} [{c.kind}]" for c in app.architecture.components)
    return f"{table(rows)}\n\nfiles ({len(app.files)}):\n{files or '  -'}\n\ncomponents:\n{parts or '  -'}"


async def apps_show(ctx: Context, client: Any) -> None:
    app = await client.get_app(ctx.args.id)
    print(as_json(app) if ctx.args.json else show_app(app))


async def apps_export(ctx: Context, client: Any) -> None:
    import asyncio

    from tui.services.export import export_files

    app = await client.get_app(ctx.args.id)
    written = await asyncio.to_thread(export_files, app.files, ctx.args.directory, ctx.args.force)
    for path in written:
        print(path)
    print(f"Wrote {len(written)} file{'s' if len(written) != 1 else ''} of app #{app.id} to "
          f"{ctx.args.directory}.", file=sys.stderr)
