"""Issue 15: a bell and an OSC 9/777 desktop notification when a watched build ends while the user is on
another screen; `notify = false` turns it off. Real server; what the driver writes is captured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.live_server import LiveServer
from tests.tui.conftest import screen_name, until, watching_a_build
from tui.app import build_alert
from tui.config import load_settings

SIZE = (120, 40)


def test_alert_is_bell_osc9_and_osc777_without_control_characters() -> None:
    alert = build_alert("Build #7 finished\x1b]52;c;evil\x07")
    assert alert.startswith("\a\x1b]9;Build #7 finished]52;c;evil\x07")
    assert alert.endswith("\x1b]777;notify;appbuilder;Build #7 finished]52;c;evil\x07")
    assert alert.count("\x1b") == 2


def test_notify_setting_defaults_on_and_reads_from_the_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "missing.toml").notify is True
    (tmp_path / "config.toml").write_text("notify = false\n")
    assert load_settings(tmp_path / "config.toml").notify is False


@pytest.mark.parametrize(("enabled", "elsewhere"), [(True, True), (False, True), (True, False)])
async def test_build_ending_under_another_screen(live_server: LiveServer, fresh_user: dict, token_dir: Path,
                                                 enabled: bool, elsewhere: bool) -> None:
    async with watching_a_build(live_server.url, token_dir, fresh_user, enabled, SIZE) as (client, job, app,
                                                                                         pilot, written):
        live: Any = app.screen
        await until(pilot, lambda: live.status == "collecting", what="job loaded")
        if elsewhere:
            app.action_help()
            await until(pilot, lambda: screen_name(app) == "HelpScreen", what="help on top")
        await client.start_build(job.id)
        await until(pilot, lambda: live.status == "done", timeout=60, what="build done")
        await pilot.pause()
    alerts = [data for data in written if "\x1b]9;" in data]
    if enabled and elsewhere:
        assert alerts == [build_alert(f"Build #{job.id} finished")]
    else:
        assert alerts == [] and not any("\x1b]777;" in data for data in written)
