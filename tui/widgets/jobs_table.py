"""The dashboard's table of jobs: a Line-API `ScrollView` that draws only the rows on screen.

It shows a sequence of job ids (the filter's result, in sort order) looked up in a mapping of summaries,
so showing 50,000 rows, a new filter or a changed job costs the rows on screen, not the list. Keys as in
the other lists: ↑/↓/j/k, PgUp/PgDn, Home/End and g/G, Enter opens; a click on the cursor row opens it,
a click on a header sorts by that column. Status colours come from the theme (component classes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.job_rows import COLUMNS, PADDING, ago, column_widths, header_labels, job_cells, padded
from tui.services.records import JobSummary

STRIP_CACHE = 2000  # rows kept drawn (a few screens: paging back and clearing a filter cost nothing)
STATUSES = ("collecting", "prd", "building", "done", "failed")


class JobsTable(ScrollView, can_focus=True):
    """Rows of jobs, one cursor row (see the module docstring)."""

    virtual_size = Reactive(Size(0, 0), layout=False)  # rows come and go per filter key: see show()
    COMPONENT_CLASSES = {"jobs-table--header", "jobs-table--cursor", "jobs-table--even-row",
                         *(f"jobs-table--status-{status}" for status in STATUSES)}
    DEFAULT_CSS = """
    JobsTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        overflow-x: hidden;
        &:focus {
            background-tint: $foreground 5%;
            & > .jobs-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .jobs-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .jobs-table--even-row { background: $surface-darken-1 40%; }
        & > .jobs-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .jobs-table--even-row { background: $surface-lighten-1 50%; }
        & > .jobs-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .jobs-table--status-collecting { color: $text-primary; }
        & > .jobs-table--status-prd { color: $text-secondary; }
        & > .jobs-table--status-building { color: $text-warning; }
        & > .jobs-table--status-done { color: $text-success; }
        & > .jobs-table--status-failed { color: $text-error; text-style: bold; }
    }
    """
    BINDINGS = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up,k", "cursor_up", "Cursor up", show=False),
        Binding("down,j", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home,g", "scroll_top", "First row", show=False),
        Binding("end,ctrl+end,G", "scroll_bottom", "Last row", show=False),
    ]

    class TableMessage(Message):
        """A message from this table: `control` is the table (for `@on(..., "#id")` selectors)."""

        def __init__(self, table: JobsTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> JobsTable:
            return self.table

    class RowSelected(TableMessage):
        """Enter, or a click on the cursor row."""

        def __init__(self, table: JobsTable, job_id: int) -> None:
            super().__init__(table)
            self.job_id = job_id

    class HeaderSelected(TableMessage):
        """A click on a column's header."""

        def __init__(self, table: JobsTable, column: str) -> None:
            super().__init__(table)
            self.column = column

    def __init__(self, clock: Callable[[], datetime] | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(name=name, id=id, classes=classes)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.ids: Sequence[int] = ()
        self.jobs: Mapping[int, JobSummary] = {}
        self.cursor = 0
        self.cursor_id: int | None = None  # the job under the cursor: it stays there when rows change
        self.sort_column = "updated"
        self.sort_reverse = True
        self.cells: dict[int, tuple[JobSummary, tuple[str, str, str, str]]] = {}
        self.strips: dict[tuple[int, str, int, str], tuple[JobSummary, Strip]] = {}  # see row_strip
        self.column_layout: tuple[int, tuple[int, ...]] = (-1, ())  # (width, column widths) last drawn
        self.now: datetime | None = None  # the clock, read once per frame (see render_lines)
        self.looks: dict[str, Style] = {}  # component styles until the CSS changes (see look)

    # ----- what is shown ------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.ids)

    @property
    def cursor_row(self) -> int:
        return self.cursor

    @property
    def selected_id(self) -> int | None:
        return self.ids[self.cursor] if self.ids else None

    def show(self, ids: Sequence[int], jobs: Mapping[int, JobSummary]) -> None:
        """Show `ids` (looked up in `jobs`); the cursor stays on the job it was on if it is still shown."""
        self.ids, self.jobs = ids, jobs
        selected = self.cursor_id
        if selected is not None and ids and (self.cursor >= len(ids) or ids[self.cursor] != selected):
            try:
                self.cursor = ids.index(selected)
            except ValueError:
                pass  # gone (or filtered out): the cursor keeps its row number
        self.cursor = max(0, min(self.cursor, len(ids) - 1))
        self.cursor_id = self.selected_id
        scrollbar = self.show_vertical_scrollbar
        self.virtual_size = Size(self.virtual_size.width, len(ids) + 1)  # a repaint, not a layout pass
        self._scroll_update(self.virtual_size)  # the scrollbar's thumb (Textual does this after a layout)
        if self.show_vertical_scrollbar != scrollbar:
            self.refresh(layout=True)  # the scrollbar came or went: the columns move
        self.scroll_to_cursor()
        self.refresh()

    def job_changed(self, job_id: int) -> None:
        """`jobs[job_id]` was replaced: redraw (its row is drawn again only if it is on screen)."""
        self.refresh()

    def set_sort(self, column: str, reverse: bool) -> None:
        self.sort_column, self.sort_reverse = column, reverse
        self.refresh()

    def get_cell(self, job_id: int, column: str) -> str:
        """The text of one cell (as drawn, without padding)."""
        keys = [key for key, _, _ in COLUMNS]
        return self.row_cells(self.jobs[job_id], self.clock())[keys.index(column)]

    # ----- cursor and keys ----------------------------------------------------------------------------
    @property
    def page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int) -> None:
        self.cursor = max(0, min(row, len(self.ids) - 1))
        self.cursor_id = self.selected_id
        self.scroll_to_cursor()
        self.refresh()

    def scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor > top + self.page_height - 1:
            self.scroll_to(y=self.cursor - self.page_height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_down(self) -> None:
        page = self.page_height
        self.scroll_to(y=self.scroll_y + page, animate=False, immediate=True)
        self.move_cursor(self.cursor + page)

    def action_page_up(self) -> None:
        page = self.page_height
        self.scroll_to(y=self.scroll_y - page, animate=False, immediate=True)
        self.move_cursor(self.cursor - page)

    def action_scroll_top(self) -> None:
        self.move_cursor(0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(len(self.ids) - 1)

    def action_select_cursor(self) -> None:
        if self.selected_id is not None:
            self.post_message(self.RowSelected(self, self.selected_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self.column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column))
            return
        row = round(self.scroll_y) + offset.y - 1
        if 0 <= row < len(self.ids):
            if row == self.cursor:
                self.action_select_cursor()
            else:
                self.move_cursor(row)

    def column_at(self, x: int) -> str | None:
        left = 0
        for (key, _, _), width in zip(COLUMNS, self.widths(), strict=True):
            left += width + 2 * PADDING
            if x < left:
                return key
        return None

    # ----- drawing ------------------------------------------------------------------------------------
    def widths(self, available: int | None = None) -> tuple[int, ...]:
        """Column widths (without padding) for `available` cells; the title takes what the others leave."""
        if available is None:
            available = self.scrollable_content_region.width
        if self.column_layout[0] != available:
            self.column_layout = (available, column_widths(available))
        return self.column_layout[1]

    def row_cells(self, job: JobSummary, now: datetime) -> tuple[str, str, str, str, str]:
        cached = self.cells.get(job.id)
        if cached is None or cached[0] is not job:
            cached = (job, job_cells(job))
            self.cells[job.id] = cached
        return (*cached[1], ago(job.updated_at, now))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.strips.clear()  # focus or theme changed: rows are drawn in other colours
        self.looks.clear()

    def look(self, name: str) -> Style:
        """A component class's style ("" for the table's own), worked out once until the CSS changes:
        Textual's own cache is emptied by every refresh, i.e. every frame (a filter key draws ~40 rows)."""
        style = self.looks.get(name)
        if style is None:
            if not name:
                style = self.rich_style
            else:
                style = self.get_component_rich_style(name, partial=name.startswith("jobs-table--status"),
                                                      default=Style())
            self.looks[name] = style
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        """Read the clock once per frame, not once per row (the dashboard's clock goes through its host)."""
        self.now = self.clock()
        try:
            return super().render_lines(crop)
        finally:
            self.now = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self.header_strip(width)
        index = round(self.scroll_y) + y - 1
        if not 0 <= index < len(self.ids):
            return Strip.blank(width, self.look(""))
        return self.row_strip(index, width)

    def header_strip(self, width: int) -> Strip:
        style = self.look("jobs-table--header")
        labels = header_labels(self.sort_column, self.sort_reverse)
        return self.strip(labels, [style] * len(labels), style, width)

    def row_strip(self, index: int, width: int) -> Strip:
        """One row, drawn once per look (job, cursor or stripe, width, age) and then reused."""
        job = self.jobs[self.ids[index]]
        cells = self.row_cells(job, self.now or self.clock())
        kind = "cursor" if index == self.cursor else ("even" if index % 2 == 0 else "odd")
        key = (job.id, kind, width, cells[-1])
        cached = self.strips.get(key)
        if cached is not None and cached[0] is job:
            return cached[1]
        if kind == "cursor":
            base = self.look("jobs-table--cursor")
            styles = [base] * len(cells)
        else:
            base = self.look("jobs-table--even-row" if kind == "even" else "")
            styles = [base, base, base + self.look(f"jobs-table--status-{job.status}"), base, base]
        strip = self.strip(cells, styles, base, width)
        if len(self.strips) >= STRIP_CACHE:
            self.strips.clear()
        self.strips[key] = (job, strip)
        return strip

    def strip(self, cells: Sequence[str], styles: Sequence[Style], fill: Style, width: int) -> Strip:
        widths = self.widths(width)
        segments = [Segment(text, style) for text, style in zip(padded(cells, widths), styles, strict=True)]
        used = sum(widths) + 2 * PADDING * len(widths)
        if used < width:
            segments.append(Segment(" " * (width - used), fill))
            return Strip(segments, width)
        return Strip(segments, used).crop(0, width)
