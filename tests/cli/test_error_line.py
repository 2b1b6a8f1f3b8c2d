"""The command line's one error line carries no terminal controls: its message may quote the server (a
`detail`, a file path), and it is printed to the user's terminal."""

from __future__ import annotations

import argparse
import importlib

import pytest

from tests.support.hostile import LINE_CONTROLS
from tui.cli.exits import CliError
from tui.services import ServiceError

ATTACK = "bad\x1b]52;c;ZXZpbA==\x07 words\x1b[2J\x9b31m here"
cli = importlib.import_module("tui.cli.main")  # the module (`tui.cli.main` is also its function's name)


@pytest.mark.parametrize("error", [ServiceError(ATTACK), CliError(ATTACK), RuntimeError(ATTACK)])
def test_the_error_line_keeps_the_words_and_drops_the_controls(
        error: Exception, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    async def failing(args: argparse.Namespace) -> int:
        raise error

    monkeypatch.setattr(cli, "run_command", failing)
    assert cli.main(["jobs", "list"]) != 0
    line = capsys.readouterr().err.rstrip("\n")
    assert not LINE_CONTROLS.search(line), repr(line)
    assert "bad]52;c;ZXZpbA== words[2J31m here" in line and line.startswith("appbuilder-tui: ")
