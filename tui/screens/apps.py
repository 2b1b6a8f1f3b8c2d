"""Apps list: every generated app (name, job, files, created); `/` filters, enter opens the detail."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from tui.messages import OpenApp
from tui.printable import one_line
from tui.protocols import AppHost
from tui.services import AppSummary, ServiceError
from tui.widgets.feedback import go_back, when
from tui.widgets.key_footer import KeyFooter
from tui.widgets.nav_table import ListTable

EMPTY = "No apps yet: finish a build to get one."


FIXED_COLUMNS = (("job", 6), ("files", 6), ("created", 17))


class AppsScreen(Screen[None]):
    CSS_PATH = "apps.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open", "Open", show=True),
        Binding("slash", "filter", "Filter"),
        Binding("r", "reload", "Reload"),
    ]
    host = AppHost()

    def __init__(self) -> None:
        super().__init__()
        self.apps: list[AppSummary] = []
        self.state = "loading"

    def compose(self) -> ComposeResult:
        yield Static("Apps", id="apps-title")
        yield Input(placeholder="filter by name (escape clears)", id="apps-filter")
        yield ListTable(id="apps-table", cursor_type="row", zebra_stripes=True)
        yield Static("Loading apps…", id="apps-state")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("name", key="name", width=self.name_width())
        for key, width in FIXED_COLUMNS:
            table.add_column(key, key=key, width=width)
        table.focus()
        self.load()

    def name_width(self) -> int:
        """The name takes what the fixed columns leave (each column has one cell of padding per side), so
        'created' stays whole at 80 columns; long names end in an ellipsis."""
        fixed = sum(width for _, width in FIXED_COLUMNS) + 2 * (len(FIXED_COLUMNS) + 1) + 2
        return max(12, self.app.size.width - fixed)

    def on_resize(self) -> None:
        table = self.query_one(DataTable)
        for key, column in table.columns.items():
            if key.value == "name":
                column.width = self.name_width()
        table.refresh(layout=True)

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        self.set_state("loading", "Loading apps…")
        try:
            self.apps = await self.host.client.list_apps()
        except ServiceError as err:
            self.host.report(err)
            self.set_state("error", f"Could not load the apps: {err.message} (r retries)")
            return
        self.fill()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        needle = self.query_one("#apps-filter", Input).value.strip().lower()
        shown = [a for a in self.apps if needle in a.name.lower() or needle in a.description.lower()]
        table.clear()
        for item in shown:
            name = Text(one_line(item.name), no_wrap=True, overflow="ellipsis")
            table.add_row(name, f"#{item.job}", str(item.file_count), when(item.created_at),
                          key=str(item.id))
        table.set_class(not shown, "-hidden")
        if not self.apps:
            self.set_state("empty", EMPTY)
        elif not shown:
            self.set_state("empty", f"No app matches '{needle}'.")
        else:
            self.set_state("ready", f"{len(shown)} of {len(self.apps)} apps · enter opens · / filters")

    def set_state(self, state: str, text: str) -> None:
        self.state = state
        label = self.query_one("#apps-state", Static)
        label.update(Text(one_line(text)))  # an error's words, a typed filter: never markup
        label.set_classes(f"-{state}")

    @on(Input.Changed, "#apps-filter")
    def filter_changed(self) -> None:
        if self.state != "loading":
            self.fill()

    @on(Input.Submitted, "#apps-filter")
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected, "#apps-table")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(OpenApp(int(event.row_key.value)))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            self.notify(EMPTY if not self.apps else "No app matches the filter.", severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        if key.value is not None:
            self.post_message(OpenApp(int(key.value)))

    def action_filter(self) -> None:
        box = self.query_one("#apps-filter", Input)
        box.add_class("-visible")
        box.focus()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        box = self.query_one("#apps-filter", Input)
        if box.has_focus or box.value:
            box.value = ""
            box.remove_class("-visible")
            self.query_one(DataTable).focus()
            return
        go_back(self)
