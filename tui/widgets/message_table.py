"""Dev-mode table of every message of a job (id, time, kind, role, content excerpt), fed by socket events,
with a pane under it that shows the highlighted message whole (wrapped to the width, scrollable)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from tui.printable import one_line, printable
from tui.services import (
    AppReadyEvent,
    ChatEvent,
    ErrorEvent,
    Event,
    PrdEvent,
    StatusEvent,
    StepEvent,
)
from tui.widgets.nav_table import NavTable

EXCERPT = 70


def excerpt(text: str, width: int = EXCERPT) -> str:
    """One line of at most `width` characters, without terminal controls (the server's text)."""
    flat = " ".join(one_line(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def row_for(event: Event) -> tuple[int, str, str, str] | None:
    """(id, kind, role, content) of a persisted message event, None for anything else."""
    match event:
        case ChatEvent():
            return event.message_id, "chat", event.role, event.text
        case StatusEvent():
            return event.message_id, "status", "system", event.text or event.status
        case PrdEvent():
            return event.message_id, "prd", "system", event.prd
        case StepEvent():
            text = event.text or f"{event.stage} {event.stage_status} {event.progress}%"
            return event.message_id, "step", "system", text
        case AppReadyEvent():
            return event.message_id, "app", "system", f"{event.name} {event.preview_url}".strip()
        case ErrorEvent() if event.message_id is not None:
            return event.message_id, "error", "system", f"{event.code}: {event.text}"
    return None


class MessageTable(NavTable):  # g is Build on the Live build screen: no g/G here
    """Row keys are message ids (as strings)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.contents: dict[int, str] = {}
        self.facts: dict[int, str] = {}  # "time · kind · role" of each row, for the detail pane

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("id", key="id", width=6)
        self.add_column("time", key="time", width=8)
        self.add_column("kind", key="kind", width=7)
        self.add_column("role", key="role", width=7)
        self.add_column("content", key="content")

    def add_event(self, event: Event) -> bool:
        row = row_for(event)
        if row is None or str(row[0]) in self.rows:
            return False
        message_id, kind, role, content = row
        created = getattr(event, "created_at", None)
        moment = created.astimezone().strftime("%H:%M:%S") if created else "-"
        self.contents[message_id] = content
        self.facts[message_id] = f"{moment} · {kind} · {one_line(role)}"
        # Text cells: a str cell is read as markup by DataTable (a "[/]" in a message raised MarkupError)
        self.add_row(str(message_id), moment, kind, Text(one_line(role)), Text(excerpt(content)),
                     key=str(message_id))
        return True

    def content_of(self, message_id: int) -> str:
        """The whole content of a row (the table shows an excerpt)."""
        return self.contents.get(message_id, "")

    @property
    def message_ids(self) -> list[int]:
        return [int(key.value) for key in self.rows if key.value is not None]

    def selected_id(self) -> int | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def remove_message(self, message_id: int) -> None:
        if str(message_id) in self.rows:
            self.remove_row(str(message_id))
        self.contents.pop(message_id, None)
        self.facts.pop(message_id, None)

    def describe(self, message_id: int) -> Text:
        """The detail pane's text: a header line, then the whole content (wrapped by the pane)."""
        if message_id not in self.contents:
            return Text("No message selected.", style="italic")
        content = self.contents[message_id]
        text = Text(f"#{message_id} · {self.facts[message_id]} · {len(content):,} characters\n", style="bold")
        text.append(printable(content))
        return text


class MessagesPane(Vertical):
    """The table over a detail pane that follows the highlighted row (↑/↓ in the table; tab to scroll it)."""

    DEFAULT_CSS = """
    MessagesPane { height: 1fr; }
    MessagesPane MessageTable { height: 1fr; min-height: 4; }
    MessagesPane #message-detail { height: 45%; min-height: 3; border-top: hkey $panel; padding: 0 1;
                                   background: $surface; }
    MessagesPane #message-detail:focus { background-tint: $foreground 3%; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.shown: int | None = None

    def compose(self) -> ComposeResult:
        yield MessageTable(id="messages-table")
        with VerticalScroll(id="message-detail", can_focus=True):
            yield Static(Text("No message selected.", style="italic"), id="message-content")

    @property
    def table(self) -> MessageTable:
        return self.query_one(MessageTable)

    def add_event(self, event: Event) -> bool:
        added = self.table.add_event(event)
        if added and self.shown is None:
            self.show_selected()  # the first row: no highlight event comes for it
        return added

    def remove_message(self, message_id: int) -> None:
        self.table.remove_message(message_id)
        self.show_selected()

    @on(DataTable.RowHighlighted, "#messages-table")
    def row_highlighted(self) -> None:
        self.show_selected()

    def show_selected(self) -> None:
        selected = self.table.selected_id()
        if selected == self.shown and selected is not None:
            return
        self.shown = selected
        self.query_one("#message-content", Static).update(self.table.describe(selected or -1))
        self.query_one("#message-detail").scroll_home(animate=False)
