"""A TUI start parses its command line with the commands declared by name only (issue 14: declaring every
action's options was ~12 ms of a start's CPU). That parser must read every command line that names no
command exactly as the whole one does: the same options, the same errors, the same exit codes."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from tui.cli.main import build_parser, names_a_command


def outcome(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, str, str]:
    """(the namespace or the exit code, stdout, stderr) of one parse."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = vars(parser.parse_args(argv))
        except SystemExit as done:
            result = done.code
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", [
    [], ["--server", "http://127.0.0.1:8000"], ["--profile", "staging", "--dev"], ["--timeout", "2.5"],
    ["--config-dir", "/tmp/x", "--demo"], ["--version"], ["--server"], ["--timeout", "soon"], ["bogus"],
    ["--server", "http://h:1", "extra"], ["--unknown"], ["--serv", "http://h:1"], ["-x"],
])  # "bogus": the error lists the commands, so the lean parser's names and order are checked too
def test_a_command_line_without_a_command_parses_as_with_the_whole_parser(argv: list[str]) -> None:
    assert not names_a_command(argv)
    assert outcome(build_parser(argv), argv) == outcome(build_parser(), argv)


@pytest.mark.parametrize("argv", [["jobs", "list"], ["--server", "http://h:1", "login"], ["-h"], ["--help"],
                                  ["--he"], ["config", "path"], ["server", "--help"]])
def test_a_command_or_a_help_flag_gets_the_whole_parser(argv: list[str]) -> None:
    assert names_a_command(argv)
    lean = build_parser(argv)
    assert outcome(lean, argv) == outcome(build_parser(), argv)
