"""Where the TUI reaches inside Textual, the shape it relies on (Textual is pinned: `textual~=8.2` in
pyproject, exact in constraints.txt). An upgrade that moves one of these fails here, by name, instead of as
a table or transcript whose scrollbar stops following its rows."""

from __future__ import annotations

import importlib.metadata
import inspect

from textual.reactive import Reactive
from textual.widget import Widget

from tui.screens.dashboard import FilterBox
from tui.widgets.jobs_table import JobsTable


def test_textual_is_the_pinned_minor_version() -> None:
    assert importlib.metadata.version("textual").startswith("8.2.")


def test_scroll_update_takes_the_new_virtual_size() -> None:
    """JobsTable.show() and ChatLog call `Widget._scroll_update(size)` after growing without a layout pass."""
    update = Widget.__dict__["_scroll_update"]
    assert list(inspect.signature(update).parameters) == ["self", "virtual_size"]


def test_virtual_size_is_a_reactive_the_fast_widgets_redeclare_repaint_only() -> None:
    """Textual's `virtual_size` asks for a layout; the table and the filter box redeclare it without one."""
    assert isinstance(Widget.__dict__["virtual_size"], Reactive)
    assert Widget.__dict__["virtual_size"]._layout is True
    assert JobsTable.__dict__["virtual_size"]._layout is False
    assert FilterBox.__dict__["virtual_size"]._layout is False
