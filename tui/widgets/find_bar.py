"""`/` find inside a view, as in less: one `FindArea` wraps a searchable view and its find bar.

`/` (with the view focused) opens the bar; enter jumps to the first match at or after where the reader is
and hands the keys back to the view, where `n`/`N` go to the next/previous match (wrapping) and escape
closes the bar. Enter again in the bar goes to the next match. The view does the matching and the
highlighting (`Searchable`); this module only keeps the query and which match is current. Keys typed into
an input outside the area (the chat input) never reach it, so `/` still types there.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Static


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every `query` in `text`, any case, not overlapping."""
    if not query:
        return []
    lower, wanted = text.lower(), query.lower()
    found, start = [], lower.find(wanted)
    while start >= 0:
        found.append((start, start + len(wanted)))
        start = lower.find(wanted, start + len(wanted))
    return found


def next_match(text: str, query: str, after: int) -> tuple[int, int] | None:
    """The first match from offset `after` on, else from the top; None when there is none."""
    matches = find_all(text, query)
    return next((m for m in matches if m[0] >= after), matches[0] if matches else None)


def match_styles(widget: Widget) -> tuple[Style, Style]:
    """(every match, the current match) in the app theme's colours, readable in light and dark themes."""
    colors = widget.app.theme_variables
    every = Style(color=colors.get("foreground"), bgcolor=colors.get("warning-muted"))
    current = Style(color=colors.get("background"), bgcolor=colors.get("warning"), bold=True)
    return every, current


@runtime_checkable
class Searchable(Protocol):
    def search(self, query: str) -> tuple[int, int]:
        """Highlight every match of `query` ("" clears); (how many, index of the first at/after the view)."""

    def show_match(self, index: int) -> None:
        """Mark match `index` current and scroll it into view."""


class FindBar(Horizontal):
    """The input and a count ("2/7"); hidden until `/`."""

    DEFAULT_CSS = """
    FindBar { display: none; height: 1; background: $panel; }
    FindBar.-open { display: block; }
    FindBar Input { width: 1fr; height: 1; border: none; padding: 0 1; }
    FindBar .find-count { width: auto; padding: 0 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Input(placeholder="find · enter: go · then n/N next/previous · escape: close",
                    classes="find-input")
        yield Static("", classes="find-count")

    @property
    def input(self) -> Input:
        return self.query_one(".find-input", Input)

    def show_count(self, index: int, count: int) -> None:
        self.query_one(".find-count", Static).update(f"{index + 1}/{count}" if count else "no match")


class FindArea(Vertical):
    """A searchable view (the first child) with its find bar under it."""

    DEFAULT_CSS = "FindArea { height: 1fr; }"
    BINDINGS = [
        Binding("slash", "find", "Find", show=False),
        Binding("n", "find_next", "Next match", show=False),
        Binding("N", "find_previous", "Previous match", show=False),
        Binding("escape", "close_find", "Close find", show=False),
    ]

    def __init__(self, view: Widget, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view = view
        self.find_query = ""
        self.find_count = 0
        self.find_index = 0

    def compose(self) -> ComposeResult:
        yield self.view
        yield FindBar()

    @property
    def bar(self) -> FindBar:
        return self.query_one(FindBar)

    @property
    def is_open(self) -> bool:
        return self.bar.has_class("-open")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("find_next", "find_previous"):
            return self.is_open and self.find_count > 0
        if action == "close_find":
            return self.is_open
        return True

    def action_find(self) -> None:
        """Open the bar (or go back to it) with the last query selected, to type a new one over it."""
        self.bar.add_class("-open")
        self.bar.input.focus()
        self.bar.input.select_all()
        self.refresh_bindings()

    @on(Input.Submitted, ".find-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        query = event.value
        if query and query == self.find_query and self.find_count:
            self.step(1)
        else:
            self.run_search(query)
        if self.find_count:
            self.view.focus()
        else:
            self.notify(f"{query!r} is not found here." if query else "Type what to find.",
                        severity="warning", markup=False)

    def run_search(self, query: str) -> None:
        assert isinstance(self.view, Searchable)
        self.find_query = query
        self.find_count, self.find_index = self.view.search(query)
        self.bar.show_count(self.find_index, self.find_count)
        if self.find_count:
            self.view.show_match(self.find_index)
        self.refresh_bindings()

    def step(self, by: int) -> None:
        assert isinstance(self.view, Searchable)
        if not self.find_count:
            return
        self.find_index = (self.find_index + by) % self.find_count
        self.view.show_match(self.find_index)
        self.bar.show_count(self.find_index, self.find_count)

    def action_find_next(self) -> None:
        self.step(1)

    def action_find_previous(self) -> None:
        self.step(-1)

    def action_close_find(self) -> None:
        """Hide the bar, clear the highlights, and give the keys back to the view."""
        assert isinstance(self.view, Searchable)
        self.bar.remove_class("-open")
        self.view.search("")
        self.find_query, self.find_count, self.find_index = "", 0, 0
        self.view.focus()
        self.refresh_bindings()
