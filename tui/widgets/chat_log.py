"""Chat transcript with the agent: user, agent and system lines styled apart, queued chats marked.

A Line-API `ScrollView`: each line is wrapped once for the width it is shown at and only the visible rows
are drawn, so a stream of 1,000 messages a second stays live; the scroll size and the follow-the-bottom
scroll are updated once per frame, not once per line. A line that fits one row (most of a stream) is only
measured when it arrives and styled when a frame first draws it: at 1,000 lines a second most lines are
scrolled past before any frame shows them, and never cost a render. The transcript keeps the newest
`MAX_LINES` lines (older ones are dropped in batches, and a first row says how many: memory stays bounded on
a long stream) and re-wraps them whenever the width changes (a resize, or coming back from a hidden tab), so
text never stays wrapped at a width that is no longer on screen. Lines that arrive while the log is hidden
are only recorded; they are wrapped when it shows again. Colours come from the app theme (readable in light
themes); `/` find (tui/widgets/find_bar.py) highlights matches through `search`/`show_match`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from tui.printable import printable
from tui.widgets.find_bar import find_all, match_styles

ROLE_LABELS = {"user": "you", "agent": "agent", "system": "system"}
# role -> theme variable of its colour (text-* variables are made readable on the theme's background)
ROLE_COLORS = {"user": "text-primary", "agent": "text-success", "pending": "text-warning",
               "error": "text-error"}
BOLD, DIM, PLAIN = Style(bold=True), Style(dim=True), Style()
MAX_LINES = 2000  # newest chat lines kept (and shown); older ones are dropped, and counted in `trimmed`
TRIM_BATCH = 200  # drop the oldest lines in batches, not one list shift per new line


def role_styles(variables: dict[str, str]) -> dict[str, Style]:
    """The transcript's styles from the app theme's variables (system lines: the foreground, muted)."""
    def color(name: str) -> str | None:
        try:
            return Color.parse(variables[ROLE_COLORS.get(name, name)]).hex
        except (KeyError, ColorParseError):
            return None

    foreground, background = color("foreground"), color("background")
    muted = (Color.parse(foreground).blend(Color.parse(background), 0.35).hex
             if foreground and background else None)
    return {"user": Style(color=color("user"), bold=True), "agent": Style(color=color("agent"), bold=True),
            "pending": Style(color=color("pending")), "error": Style(color=color("error"), bold=True),
            "system": Style(color=muted, italic=True)}


@dataclass
class ChatLine:
    role: str
    text: str
    message_id: int | None = None
    pending: bool = False
    error: bool = False

    @property
    def gap(self) -> bool:
        """Chat turns get a blank row after them; system lines stay packed."""
        return not self.error and self.role != "system"

    @property
    def prefix(self) -> str:
        """What `styled` puts before `self.text` (the same characters, without styles)."""
        label = ROLE_LABELS.get(self.role, self.role)
        if self.error or self.role == "system":
            return "  "
        if self.pending:
            return f"▌ {label} (pending, sent on reconnect): "
        return f"▌ {label}: "

    def fits(self, width: int) -> bool:
        """One row at `width`, without wrapping (printable: no newline, tab or control character)."""
        text = self.text
        return text.isprintable() and cell_len(self.prefix) + cell_len(text) <= width

    def parts(self, styles: dict[str, Style]) -> list[tuple[str, Style]]:
        """The line as shown, as (text, style) pieces; `self.text` is always the end (find offsets count
        from there). Every style is a piece's own, not a base style: see ChatLog.wrap."""
        label = ROLE_LABELS.get(self.role, self.role)
        if self.error:
            return [(f"  {self.text}", styles["error"])]
        if self.role == "system":
            return [(f"  {self.text}", styles["system"])]
        if self.pending:
            return [("▌ ", styles["pending"]), (f"{label} (pending, sent on reconnect): ", BOLD),
                    (self.text, DIM)]
        return [("▌ ", styles[self.role]), (f"{label}: ", BOLD), (self.text, PLAIN)]

    def styled(self, styles: dict[str, Style]) -> Text:
        text = Text.assemble(*self.parts(styles))
        text.end = ""
        return text


class ChatLog(ScrollView, can_focus=True):
    """Scrollable transcript; follows the bottom while new lines arrive unless the reader scrolled up."""

    DEFAULT_CSS = """
    ChatLog { height: 1fr; padding: 0 1; background: $surface; color: $foreground; overflow-y: scroll;
              overflow-x: hidden; }
    ChatLog:focus { background-tint: $foreground 3%; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None,  # noqa: A002 - Textual's name
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.chat_lines: list[ChatLine] = []  # the newest MAX_LINES (+ up to TRIM_BATCH) lines
        self.trimmed = 0  # older lines dropped to bound memory (the first row says how many)
        self.pending: list[ChatLine] = []  # queued chats not yet confirmed by the server
        self.rows: list[Strip | ChatLine] = []  # rows of chat_lines for `wrap_width`; a ChatLine: see row()
        self.heights: list[int] = []  # rows per line
        self.wrap_width = 0  # 0: nothing wrapped yet (not shown yet, or lines arrived while hidden)
        self.following = True
        self.sync_queued = False
        self.styles_for: dict[str, Style] | None = None  # from the theme; None: work them out again
        self.find_query = ""
        self.hits: list[tuple[ChatLine, int]] = []  # (line, offset in its text) of every match
        self.current: tuple[ChatLine, int] | None = None
        self.base_style = Style()
        self.width_now: int | None = None  # text_width, read once per frame while lines arrive (see add)
        self.blank = Strip.blank(0)  # the spacer row after a chat turn, for `wrap_width`
        self.draw_width = 0  # the width of the frame being drawn

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self.theme_changed)

    def theme_changed(self, _theme: object) -> None:
        self.styles_for = None
        self.rewrap()

    # ----- adding and removing ------------------------------------------------------------------------
    def add(self, role: str, text: str, message_id: int | None = None, *, pending: bool = False,
            error: bool = False) -> ChatLine:
        # the transcript only shows lines: it keeps them as drawn, without terminal controls (find and the
        # pending match read the same text)
        text = printable(text)
        if role == "user" and not pending:
            self.resolve_pending(text)
        line = ChatLine(role if role in ROLE_LABELS else "system", text, message_id, pending, error)
        self.chat_lines.append(line)
        if pending:
            self.pending.append(line)
        if self.width_now is None:
            self.width_now = self.text_width
        width = self.width_now
        if width <= 0 or width != self.wrap_width:  # hidden or resized: wrap everything once shown
            self.wrap_width = 0
            self.trim()
            self.refresh()
            return line
        self.append_rows(line, width)
        self.trim()
        self.update_size()
        return line

    def append_rows(self, line: ChatLine, width: int) -> None:
        """The rows of `line`: a line that fits one row is a placeholder until drawn (see row())."""
        if line.fits(width):
            self.rows.append(line)
            if line.gap:
                self.rows.append(self.blank)
            self.heights.append(2 if line.gap else 1)
            return
        rows = self.wrap(line, width)
        self.rows.extend(rows)
        self.heights.append(len(rows))

    def row(self, index: int) -> Strip:
        """Row `index`, styled now if its line has not been drawn yet (its pieces straight to segments, the
        same ones `Text.render` gives, at a quarter of the cost; through `wrap` to highlight a find)."""
        row = self.rows[index]
        if isinstance(row, ChatLine):
            if self.find_query:
                row = self.wrap(row, self.wrap_width)[0]
            else:
                if self.styles_for is None:
                    self.styles_for = role_styles(self.app.theme_variables)
                segments = [Segment(text, style) for text, style in row.parts(self.styles_for)]
                row = Strip(segments).extend_cell_length(self.wrap_width)
            self.rows[index] = row
        return row

    def trim(self) -> None:
        """Drop the oldest lines once there are TRIM_BATCH more than MAX_LINES (one list shift per batch)."""
        if len(self.chat_lines) <= MAX_LINES + TRIM_BATCH:
            return
        drop = len(self.chat_lines) - MAX_LINES
        dropped = self.chat_lines[:drop]
        del self.chat_lines[:drop]
        self.trimmed += drop
        if len(self.heights) == len(self.chat_lines) + drop:  # the rows are current: drop theirs too
            del self.rows[:sum(self.heights[:drop])]
            del self.heights[:drop]
        if self.pending:
            gone = {id(line) for line in dropped}
            self.pending = [line for line in self.pending if id(line) not in gone]

    def resolve_pending(self, text: str) -> bool:
        """A queued chat reached the server: drop its pending placeholder."""
        if not self.pending:
            return False
        line = next((ln for ln in self.pending if ln.text == text), None)
        if line is not None:
            self.pending.remove(line)
            self.chat_lines.remove(line)
            self.rewrap()
        return line is not None

    def remove_message(self, message_id: int) -> None:
        kept = [ln for ln in self.chat_lines if ln.message_id != message_id]
        if len(kept) != len(self.chat_lines):
            self.chat_lines = kept
            self.pending = [ln for ln in self.pending if ln.message_id != message_id]
            self.rewrap()

    @property
    def entries(self) -> list[ChatLine]:
        """Every line kept, oldest first."""
        return list(self.chat_lines)

    @property
    def pending_count(self) -> int:
        return len(self.pending)

    # ----- wrapping -----------------------------------------------------------------------------------
    @property
    def text_width(self) -> int:
        """Columns for text: the widget minus padding and the scrollbar; 0 while hidden."""
        return self.scrollable_content_region.width

    @property
    def top_rows(self) -> int:
        """Rows above the first line: the "older lines trimmed" note."""
        return 1 if self.trimmed else 0

    def wrap(self, line: ChatLine, width: int) -> list[Strip]:
        """The rows of one line at `width` (Text.wrap directly: 5x faster than rendering a Group; note that
        Text.render ignores a base style, so `styled` puts every style in a span)."""
        console = self.app.console
        if self.styles_for is None:
            self.styles_for = role_styles(self.app.theme_variables)
        text = line.styled(self.styles_for)
        if self.find_query:
            self.highlight(line, text)
        if text.cell_len <= width and "\n" not in text.plain:
            parts = [text]
        else:
            parts = list(text.wrap(console, width))
        rows = [Strip(list(part.render(console)), part.cell_len).extend_cell_length(width) for part in parts]
        if line.gap:
            rows.append(Strip.blank(width))
        return rows

    def rewrap(self) -> None:
        """Wrap every kept line for the current width (or later, if hidden now)."""
        width = self.text_width
        self.rows, self.heights = [], []
        self.wrap_width = width if width > 0 else 0
        self.width_now = None
        if width > 0:
            self.blank = Strip.blank(width)
            for line in self.chat_lines:
                self.append_rows(line, width)
        self.update_size()

    def update_size(self) -> None:
        """Size the scroll area (and follow the bottom) once per batch of lines, not once per line, and
        before the frame that draws them: after that frame (`call_after_refresh`), new lines waited for a
        second frame to scroll into view."""
        if not self.sync_queued:
            self.sync_queued = True
            self.call_later(self.sync_size)
            self.refresh()

    def sync_size(self) -> None:
        """A taller transcript changes no layout (the scrollbar always shows, the width is the widget's):
        update the scroll area without the screen-wide layout pass a `virtual_size` assignment asks for."""
        self.sync_queued = False
        self.width_now = None  # read it again for the lines of the next frame
        size = Size(self.wrap_width, len(self.rows) + self.top_rows)
        if size.width == self.virtual_size.width and self.size.height:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size
        if self.following:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    def ensure_wrapped(self) -> None:
        width = self.text_width
        if width > 0 and width != self.wrap_width:
            self.rewrap()

    def on_resize(self) -> None:
        self.width_now = None
        self.ensure_wrapped()

    def on_show(self) -> None:
        self.width_now = None
        self.ensure_wrapped()

    # ----- find (`/`) ---------------------------------------------------------------------------------
    def highlight(self, line: ChatLine, text: Text) -> None:
        every, current = match_styles(self)
        offset = len(text.plain) - len(line.text)
        for start, end in find_all(line.text, self.find_query):
            is_current = self.current is not None and self.current[0] is line and self.current[1] == start
            text.stylize(current if is_current else every, offset + start, offset + end)

    def search(self, query: str) -> tuple[int, int]:
        """Highlight every match of `query` in the kept lines; the first match shown at or below the top
        of the view is the starting one."""
        self.find_query, self.current = query, None
        self.hits = [(line, start) for line in self.chat_lines for start, _ in find_all(line.text, query)]
        self.rewrap()
        top, row, first = self.scroll_offset.y, self.top_rows, 0
        if self.hits and len(self.heights) == len(self.chat_lines):
            starts = {}
            for line, height in zip(self.chat_lines, self.heights, strict=True):
                starts[id(line)] = row
                row += height
            first = next((i for i, (line, _) in enumerate(self.hits) if starts[id(line)] >= top), 0)
        return len(self.hits), first

    def show_match(self, index: int) -> None:
        if not 0 <= index < len(self.hits):
            return
        before = self.current
        self.current = self.hits[index]
        for line in {id(hit[0]): hit[0] for hit in (before, self.current) if hit is not None}.values():
            self.redraw_line(line)
        line, start = self.current
        if line not in self.chat_lines or len(self.heights) != len(self.chat_lines):
            return
        position = self.chat_lines.index(line)
        styles = self.styles_for or role_styles(self.app.theme_variables)
        label = len(line.styled(styles).plain) - len(line.text)
        row = self.top_rows + sum(self.heights[:position]) + (label + start) // max(1, self.wrap_width)
        self.following = False
        self.scroll_to(y=max(0, row - self.scrollable_content_region.height // 2), animate=False)

    def redraw_line(self, line: ChatLine) -> None:
        """Wrap one line again in place (its highlight changed; its height did not)."""
        if self.wrap_width <= 0 or len(self.heights) != len(self.chat_lines) or line not in self.chat_lines:
            return
        position = self.chat_lines.index(line)
        start = sum(self.heights[:position])
        rows = self.wrap(line, self.wrap_width)
        if len(rows) != self.heights[position]:
            self.rewrap()
            return
        self.rows[start:start + len(rows)] = rows
        self.refresh()

    # ----- drawing and scrolling ----------------------------------------------------------------------
    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.following = round(new_value) >= self.max_scroll_y

    def render_lines(self, crop: Region) -> list[Strip]:
        # once per frame, not per row: the style walks the ancestors' styles, the width the scrollbars
        self.base_style = self.rich_style
        self.ensure_wrapped()
        self.draw_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.draw_width or self.scrollable_content_region.width
        index = self.scroll_offset.y + y - self.top_rows
        if index == -1 and self.trimmed:
            note = Text(f"… {self.trimmed:,} older lines not kept here", style="italic")
            return Strip(list(note.render(self.app.console)), note.cell_len).crop_extend(
                0, width, None).apply_style(self.base_style + (self.styles_for or {}).get("system", Style()))
        if 0 <= index < len(self.rows):
            return self.row(index).crop_extend(0, width, None).apply_style(self.base_style)
        return Strip.blank(width, self.base_style)
