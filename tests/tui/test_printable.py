"""Server text drawn on a terminal carries no control characters (tui/printable.py)."""

from __future__ import annotations

from textual.widget import Widget

from tui.printable import identifier_part, one_line, printable

HOSTILE = "a\x1b]52;c;ZXZpbA==\x07b\x1b[2Jc\x9b31md\x9d0;x\x9ce\x7ff\x00g\rh"


def test_printable_drops_every_control_but_newline_and_tab() -> None:
    assert printable(HOSTILE) == "a]52;c;ZXZpbA==b[2Jc31md0;xefgh"
    assert printable("line 1\n\tline 2") == "line 1\n\tline 2"
    assert printable("naïve — 日本語 🙂") == "naïve — 日本語 🙂"


def test_one_line_makes_newlines_and_tabs_spaces() -> None:
    assert one_line("two\nlines\tand a tab\x1b[A") == "two lines and a tab[A"
    assert "\x1b" not in one_line(HOSTILE) and "\n" not in one_line(HOSTILE)


def test_identifier_part_accepts_only_what_textual_takes_after_a_prefix() -> None:
    for word in ("done", "build_2", "deploy-eu", "UPPER"):
        assert identifier_part(word)
        Widget(id=f"stage-{word}", classes=f"-{word}")  # Textual takes it
    for word in ("", "a b", "v1.2", "café", "x\x1b", "[/]"):
        assert not identifier_part(word)
