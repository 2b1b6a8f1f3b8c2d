"""Chat transcript with the agent: user, agent and system lines styled apart, queued chats marked.

A Line-API `ScrollView`: each line is wrapped once for the width it is shown at and only the visible rows
are drawn, so a stream of 1,000 messages a second stays live. The transcript keeps every line as a plain
record (`chat_lines`) and re-wraps the newest `MAX_LINES` whenever the width changes (a resize, or coming
back from a hidden tab), so text never stays wrapped at a width that is no longer on screen. Lines that
arrive while the log is hidden are only recorded; they are wrapped when it shows again.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

ROLE_LABELS = {"user": "you", "agent": "agent", "system": "system"}
ROLE_STYLES = {"user": "bold dodger_blue1", "agent": "bold green3", "system": "dim italic"}
MAX_LINES = 2000  # newest chat lines kept on screen (all of them stay in `chat_lines`)
TRIM_BATCH = 200  # drop the oldest rows in batches, not one list shift per new line


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

    def styled(self) -> Text:
        label = ROLE_LABELS.get(self.role, self.role)
        if self.error:
            text = Text.assemble((f"  {self.text}", "bold red"))  # spans, not a base style: see wrap()
        elif self.role == "system":
            text = Text.assemble((f"  {self.text}", "dim italic"))
        elif self.pending:
            text = Text.assemble(("▌ ", "yellow"), (f"{label} (pending, sent on reconnect): ", "bold"),
                                 (self.text, "dim"))
        else:
            text = Text.assemble(("▌ ", ROLE_STYLES[self.role]), (f"{label}: ", "bold"), self.text)
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
        self.chat_lines: list[ChatLine] = []
        self.pending: list[ChatLine] = []  # queued chats not yet confirmed by the server
        self.rows: list[Strip] = []  # the wrapped rows of chat_lines[first:], for `wrap_width`
        self.heights: list[int] = []  # rows per shown line
        self.first = 0  # index in chat_lines of the oldest shown line
        self.wrap_width = 0  # 0: nothing wrapped yet (not shown yet, or lines arrived while hidden)
        self.following = True
        self.sync_queued = False

    # ----- adding and removing ------------------------------------------------------------------------
    def add(self, role: str, text: str, message_id: int | None = None, *, pending: bool = False,
            error: bool = False) -> ChatLine:
        if role == "user" and not pending:
            self.resolve_pending(text)
        line = ChatLine(role if role in ROLE_LABELS else "system", text, message_id, pending, error)
        self.chat_lines.append(line)
        if pending:
            self.pending.append(line)
        width = self.text_width
        if width <= 0 or width != self.wrap_width:  # hidden or resized: wrap everything once shown
            self.wrap_width = 0
            self.refresh()
            return line
        rows = self.wrap(line, width)
        self.rows.extend(rows)
        self.heights.append(len(rows))
        if len(self.heights) > MAX_LINES + TRIM_BATCH:
            self.trim()
        self.update_size()
        return line

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
        """Every line, oldest first."""
        return list(self.chat_lines)

    @property
    def pending_count(self) -> int:
        return len(self.pending)

    # ----- wrapping -----------------------------------------------------------------------------------
    @property
    def text_width(self) -> int:
        """Columns for text: the widget minus padding and the scrollbar; 0 while hidden."""
        return self.scrollable_content_region.width

    def wrap(self, line: ChatLine, width: int) -> list[Strip]:
        """The rows of one line at `width` (Text.wrap directly: 5x faster than rendering a Group; note that
        Text.render ignores a base style, so `styled` puts every style in a span)."""
        console = self.app.console
        text = line.styled()
        if text.cell_len <= width and "\n" not in text.plain:
            parts = [text]
        else:
            parts = list(text.wrap(console, width))
        rows = [Strip(list(part.render(console)), part.cell_len).extend_cell_length(width) for part in parts]
        if line.gap:
            rows.append(Strip.blank(width))
        return rows

    def rewrap(self) -> None:
        """Wrap the newest MAX_LINES lines for the current width (or later, if hidden now)."""
        width = self.text_width
        self.rows, self.heights = [], []
        self.first = max(0, len(self.chat_lines) - MAX_LINES)
        self.wrap_width = width if width > 0 else 0
        if width > 0:
            for line in self.chat_lines[self.first:]:
                rows = self.wrap(line, width)
                self.rows.extend(rows)
                self.heights.append(len(rows))
        self.update_size()

    def trim(self) -> None:
        drop = len(self.heights) - MAX_LINES
        del self.rows[:sum(self.heights[:drop])]
        del self.heights[:drop]
        self.first += drop

    def update_size(self) -> None:
        """Size the scroll area (and follow the bottom) once per frame, not once per line."""
        if not self.sync_queued:
            self.sync_queued = True
            self.call_after_refresh(self.sync_size)
            self.refresh()

    def sync_size(self) -> None:
        self.sync_queued = False
        self.virtual_size = Size(self.wrap_width, len(self.rows))
        if self.following:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    def ensure_wrapped(self) -> None:
        width = self.text_width
        if width > 0 and width != self.wrap_width:
            self.rewrap()

    def on_resize(self) -> None:
        self.ensure_wrapped()

    def on_show(self) -> None:
        self.ensure_wrapped()

    # ----- drawing and scrolling ----------------------------------------------------------------------
    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.following = round(new_value) >= self.max_scroll_y

    def render_line(self, y: int) -> Strip:
        self.ensure_wrapped()
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if 0 <= index < len(self.rows):
            return self.rows[index].crop_extend(0, width, None).apply_style(self.rich_style)
        return Strip.blank(width, self.rich_style)
