"""Dev-mode modal to post a job message: content + role. Dismisses with (content, role) or None."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Select

ROLES = ("user", "agent", "system")


class AddMessageScreen(ModalScreen[tuple[str, str] | None]):
    CSS_PATH = "add_message.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Add"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog"):
            yield Label("Add a message to this job", id="add-title")
            yield Input(placeholder="content", id="add-content")
            yield Select([(role, role) for role in ROLES], value="user", allow_blank=False, id="add-role")
            yield Label("enter/ctrl+s add · tab next field · escape cancel", id="add-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#add-content", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        content = self.query_one("#add-content", Input).value
        if not content.strip():
            self.notify("The message needs some content.", severity="error")
            return
        role = self.query_one("#add-role", Select).value
        self.dismiss((content, str(role) if role in ROLES else "user"))

    def action_cancel(self) -> None:
        self.dismiss(None)
