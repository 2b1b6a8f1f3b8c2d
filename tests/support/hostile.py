"""Server text as a hostile server may send it, and what may reach a terminal of it (tui/printable.py)."""

from __future__ import annotations

import re

ATTACK = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m"  # clipboard write, clear screen, 8-bit CSI
CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # every control character but newline
LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # every control character: for one line
TITLE = "EVIL\x1b]52;c;ZXZpbA==\x07X\x1b[2JY\x9b31mZ\x1b]0;title"  # drawn as TITLE_SHOWN
TITLE_SHOWN = "EVIL]52;c;ZXZpbA==X[2JY31mZ]0;title"


def hostile(word: str) -> str:
    """`word`, an attack, then markup-looking text: drawn as `shown(word)`."""
    return f"{word}{ATTACK}[/]{word}"


def shown(word: str) -> str:
    """How `hostile(word)` is drawn or printed: the controls gone, every other character kept."""
    return f"{word}]52;c;ZXZpbA==[2J31m[/]{word}"
