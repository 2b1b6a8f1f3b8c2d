"""A TextArea that never draws terminal controls, whatever its text holds (tui/printable.py).

A `TextArea` writes its lines to the terminal as they are: an ESC in a prompt or an app file from the
server would reach the terminal as an escape sequence. Only what is drawn is filtered, line by line; the
text itself (`.text`, what the user saves or what export writes) keeps every character. The characters
dropped take no cells (Rich counts a control character as 0 wide), so the cursor and the selection still
land where TextArea puts them.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import TextArea

from tui.printable import printable


class PrintableTextArea(TextArea):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        return Strip([Segment(printable(text), style, control) for text, style, control in strip],
                     strip.cell_length)
