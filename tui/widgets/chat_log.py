"""Chat transcript with the agent: user, agent and system lines styled apart, queued chats marked.

A `RichLog` underneath: lines are rendered once when they arrive and only the visible ones are drawn, so a
stream of 1,000 messages a second stays live. `chat_lines` keeps every line as a plain record; removing one
(a pending chat delivered, a message deleted in dev mode) redraws the newest `MAX_LINES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widgets import RichLog

ROLE_LABELS = {"user": "you", "agent": "agent", "system": "system"}
ROLE_STYLES = {"user": "bold dodger_blue1", "agent": "bold green3", "system": "dim italic"}
MAX_LINES = 2000


@dataclass
class ChatLine:
    role: str
    text: str
    message_id: int | None = None
    pending: bool = False
    error: bool = False

    def render(self) -> RenderableType:
        label = ROLE_LABELS.get(self.role, self.role)
        if self.error:
            return Text(f"  {self.text}", style="bold red")
        if self.role == "system":
            return Text(f"  {self.text}", style="dim italic")
        if self.pending:
            return Group(Text.assemble(("▌ ", "yellow"), (f"{label} (pending, sent on reconnect): ", "bold"),
                                       (self.text, "dim")), Text(""))
        head = Text.assemble(("▌ ", ROLE_STYLES[self.role]), (f"{label}: ", "bold"), self.text)
        return Group(head, Text(""))


class ChatLog(RichLog):
    """Scrollable transcript; follows the bottom while new lines arrive."""

    DEFAULT_CSS = """
    ChatLog { height: 1fr; padding: 0 1; background: $surface; border: none; }
    ChatLog:focus { background-tint: $foreground 3%; border: none; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, max_lines=MAX_LINES, min_width=20,
                         **kwargs)  # type: ignore[arg-type]
        self.chat_lines: list[ChatLine] = []

    def add(self, role: str, text: str, message_id: int | None = None, *, pending: bool = False,
            error: bool = False) -> ChatLine:
        if role == "user" and not pending:
            self.resolve_pending(text)
        line = ChatLine(role if role in ROLE_LABELS else "system", text, message_id, pending, error)
        self.chat_lines.append(line)
        self.write(line.render())
        return line

    def _redraw(self) -> None:
        self.clear()
        for line in self.chat_lines[-MAX_LINES:]:
            self.write(line.render())

    def resolve_pending(self, text: str) -> bool:
        """A queued chat reached the server: drop its pending placeholder."""
        line = next((ln for ln in self.chat_lines if ln.pending and ln.text == text), None)
        if line is not None:
            self.chat_lines.remove(line)
            self._redraw()
        return line is not None

    def remove_message(self, message_id: int) -> None:
        kept = [ln for ln in self.chat_lines if ln.message_id != message_id]
        if len(kept) != len(self.chat_lines):
            self.chat_lines = kept
            self._redraw()

    @property
    def entries(self) -> list[ChatLine]:
        """Every line, oldest first."""
        return list(self.chat_lines)

    @property
    def pending_count(self) -> int:
        return sum(1 for line in self.chat_lines if line.pending)
