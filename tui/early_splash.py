"""The terminal's first frame, written before Textual is imported.

Importing Textual and starting its app takes ~250-350 ms of CPU on a small machine before its first frame;
until then the terminal would show nothing of the app. This writes the same neutral splash Textual's first
frame shows ("appbuilder — starting…", centred, on the alternate screen) in well under a millisecond, right
after the command line is parsed. Textual's driver then switches to the alternate screen again (a no-op
there, or a clear) and paints over it; when it leaves, it leaves the alternate screen for us. Only if the
process ends before Textual's driver has started does `withdraw` leave it (and show the cursor again).

Nothing here touches the terminal's modes (termios): a key typed meanwhile is read by Textual as before.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

TEXT = "appbuilder — starting…"
ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"  # alternate screen, cursor hidden, home, clear
LEAVE = "\x1b[?25h\x1b[?1049l"  # cursor shown, normal screen (and its saved cursor)


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Only on a real terminal Textual will draw on itself (not `textual serve`, a pipe or a dumb one)."""
    if os.name != "posix" or environ.get("TEXTUAL_DRIVER") or environ.get("TERM", "dumb") in ("", "dumb"):
        return False
    return sys.stdin.isatty() and sys.stdout.isatty()


def frame(columns: int, lines: int) -> str:
    """The splash for a terminal of this size: the text centred, dim, on the alternate screen."""
    text = TEXT if len(TEXT) <= columns else TEXT[: max(0, columns - 1)] + "…"
    row = max(1, (lines + 1) // 2)
    column = max(1, (columns - len(text)) // 2 + 1)
    return f"{ENTER}\x1b[{row};{column}H\x1b[2m{text}\x1b[0m"


class EarlySplash:
    """`paint()` it before importing Textual; `handed_over()` once Textual's driver owns the terminal;
    `withdraw()` in a `finally` (does nothing after the hand-over)."""

    def __init__(self) -> None:
        self.shown = False

    def paint(self) -> None:
        if not wanted():
            return
        try:
            size = os.get_terminal_size(sys.stdout.fileno())
            os.write(sys.stdout.fileno(), frame(size.columns, size.lines).encode())
        except OSError:
            return  # no size or not writable: Textual's own first frame will do
        self.shown = True

    def handed_over(self) -> None:
        self.shown = False

    def withdraw(self) -> None:
        if self.shown:
            self.shown = False
            try:
                os.write(sys.stdout.fileno(), LEAVE.encode())
            except OSError:
                pass
