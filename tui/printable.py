"""Text from a server made safe to draw: no terminal control characters.

Textual writes a widget's text to the terminal as it is (its own filter drops only BEL, BS, VT, FF and CR),
and so does a plain `print`. An ESC in a job title from a hostile or broken server would reach the terminal
as an escape sequence: retitle the window, write the clipboard (OSC 52), swallow the rest of the frame in
an unterminated string, or clear the screen. Every string from the network that is drawn on a terminal goes
through `printable` first; the data itself (kept, exported, sent back) stays as the server sent it.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080-U+009F: 8-bit CSI, OSC, ST, ...)
_DROP = {code: None for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if code not in (0x09, 0x0A)}
_DROP_LINES = {**_DROP, 0x0A: " ", 0x09: " "}
# After a fixed prefix ("-", "stage-"), what Textual accepts in an id or a class name (it raises on others).
_IDENTIFIER_PART = re.compile(r"[A-Za-z0-9_-]+")


def printable(text: str) -> str:
    """`text` without terminal controls; newlines and tabs are kept (multi-line text: messages, files)."""
    return text.translate(_DROP)


def one_line(text: str) -> str:
    """`text` as one line without terminal controls: newlines and tabs become spaces (table cells)."""
    return text.translate(_DROP_LINES)


def identifier_part(word: str) -> bool:
    """Whether a server word (a status, a stage name) can follow a prefix in a widget's id or class name:
    a word that cannot (a space, a dot, any non-ASCII letter) raised BadIdentifier and killed the screen."""
    return _IDENTIFIER_PART.fullmatch(word) is not None
