"""Row tables with the keys people expect: Home/End go to the first/last row (DataTable scrolls sideways
on them), j/k move like ↓/↑, and in lists g/G go to the top/bottom as in less or vim."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


class NavTable(DataTable):
    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
        Binding("j", "cursor_down", "Cursor down", show=False),
        Binding("k", "cursor_up", "Cursor up", show=False),
    ]


class ListTable(NavTable):
    """A table that is the main list of its screen (no screen key uses g or G there)."""

    BINDINGS = [
        Binding("g", "scroll_top", "First row", show=False),
        Binding("G", "scroll_bottom", "Last row", show=False),
    ]
