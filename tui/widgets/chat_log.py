"""Chat transcript with the agent: user, agent and system lines styled apart, queued chats marked."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

ROLE_LABELS = {"user": "you", "agent": "agent", "system": "system"}


class ChatEntry(Static):
    """One line of the transcript."""

    DEFAULT_CSS = """
    ChatEntry { margin: 0 0 1 0; padding: 0 1; }
    ChatEntry.-user { border-left: thick $accent; }
    ChatEntry.-agent { border-left: thick $success; }
    ChatEntry.-system { color: $text-muted; text-style: italic; padding-left: 2; margin: 0; }
    ChatEntry.-error { color: $error; text-style: bold; }
    ChatEntry.-pending { color: $text-muted; border-left: thick $warning; }
    """

    def __init__(self, role: str, text: str, message_id: int | None = None, pending: bool = False,
                 error: bool = False) -> None:
        self.role = role if role in ROLE_LABELS else "system"
        self.text = text
        self.message_id = message_id
        self.pending = pending
        classes = f"-{self.role}" + (" -pending" if pending else "") + (" -error" if error else "")
        super().__init__(self._render_text(), classes=classes)

    def _render_text(self) -> Text:
        label = ROLE_LABELS.get(self.role, self.role)
        if self.pending:
            return Text.assemble((f"{label} (pending, sent on reconnect): ", "bold"), self.text)
        if self.role == "system":
            return Text(self.text)
        return Text.assemble((f"{label}: ", "bold"), self.text)


class ChatLog(VerticalScroll, can_focus=True):
    """Scrollable transcript; follows the bottom while new lines arrive."""

    DEFAULT_CSS = """
    ChatLog { height: 1fr; padding: 0 1; }
    ChatLog:focus { background-tint: $foreground 3%; }
    ChatLog > .empty { color: $text-muted; }
    """

    def add(self, role: str, text: str, message_id: int | None = None, *, pending: bool = False,
            error: bool = False) -> ChatEntry:
        if role == "user" and not pending:
            self.resolve_pending(text)
        entry = ChatEntry(role, text, message_id, pending=pending, error=error)
        self.mount(entry)
        self.scroll_end(animate=False)
        return entry

    def resolve_pending(self, text: str) -> bool:
        """A queued chat reached the server: drop its pending placeholder."""
        for entry in self.query(ChatEntry):
            if entry.pending and entry.text == text:
                entry.remove()
                return True
        return False

    def remove_message(self, message_id: int) -> None:
        for entry in self.query(ChatEntry):
            if entry.message_id == message_id:
                entry.remove()

    @property
    def entries(self) -> list[ChatEntry]:
        return list(self.query(ChatEntry))

    @property
    def pending_count(self) -> int:
        return sum(1 for entry in self.query(ChatEntry) if entry.pending)
