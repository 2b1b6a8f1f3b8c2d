"""A start with a saved session draws its rows before pydantic is imported (issue 14: pydantic's import
and first schema are ~120-150 ms of CPU; the start path reads tui/services/records.py instead).

`run_tui` runs as `appbuilder-tui` runs it, in a fresh interpreter against the real server, headless; the
dashboard's first page is checked at the moment it is shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client

SCRIPT = """
import asyncio, importlib, json, sys
cli = importlib.import_module("tui.cli.main")  # the module (tui.cli's `main` is the function)

def import_app():
    imported(); import tui.app, tui.screens.dashboard as dashboard
    run_async = tui.app.AppBuilderApp.run_async
    tui.app.AppBuilderApp.run_async = lambda app: run_async(app, headless=True, size=(120, 40))
    show = dashboard.DashboardScreen.show_first_page
    def shown(screen):
        show(screen)
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("pydantic", "pydantic_core"))
        print(json.dumps({"rows": len(screen.jobs), "pydantic": loaded[:5]}), flush=True)
        screen.app.exit()
    dashboard.DashboardScreen.show_first_page = shown

imported, cli.import_app = cli.import_app, import_app
args = cli.build_parser().parse_args(sys.argv[1:])
sys.exit(asyncio.run(cli.run_tui(args)))
"""


async def test_the_first_rows_are_shown_before_pydantic_is_imported(live_server: LiveServer, fresh_user: dict,
                                                                    tmp_path: Path) -> None:
    client = await logged_in_client(live_server.url, tmp_path, fresh_user["username"], fresh_user["password"])
    for title in ("first", "second", "third"):
        await client.create_job(f"Build a {title} app for a team of four")
    await client.aclose()
    out = subprocess.run([sys.executable, "-c", SCRIPT, "--server", live_server.url, "--config-dir",
                          str(tmp_path)], capture_output=True, text=True, timeout=60)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert lines, f"the dashboard never showed its first page (exit {out.returncode}): {out.stderr[-2000:]}"
    seen = json.loads(lines[0])
    assert seen["rows"] == 3, seen
    assert seen["pydantic"] == [], f"pydantic was imported before the first rows were shown: {seen}"
