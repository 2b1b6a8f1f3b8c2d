"""The command line turns off pydantic's plugin discovery (a scan of every installed package's entry points
at the first model build: ~15 ms of each start, issue 14), unless the user set the switch themselves."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = ("import os; from tui.cli.main import main; main(['--version']); "
        "print(repr(os.environ.get('PYDANTIC_DISABLE_PLUGINS')))")


def switch_after_main(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    out = subprocess.run([sys.executable, "-c", SHOW], env={**base, **env}, capture_output=True, text=True,
                         check=True, timeout=60)
    return out.stdout.strip().splitlines()[-1]


def test_plugins_off_by_default() -> None:
    assert switch_after_main() == "'__all__'"


def test_the_users_setting_wins() -> None:
    assert switch_after_main(PYDANTIC_DISABLE_PLUGINS="") == "''"
    assert switch_after_main(PYDANTIC_DISABLE_PLUGINS="logfire") == "'logfire'"
