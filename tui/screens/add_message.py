"""Dev-mode modal to post a job message (content + role) through a callback; stays open on errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select

from tui.protocols import AppHost
from tui.services import ServiceError
from tui.widgets.key_footer import KeyFooter

ROLES = ("user", "agent", "system")
SaveMessage = Callable[[str, str], Awaitable[None]]


class AddMessageScreen(ModalScreen[tuple[str, str] | None]):
    CSS_PATH = "add_message.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Add"),
        Binding("escape", "cancel", "Cancel"),
    ]
    host = AppHost()

    def __init__(self, save: SaveMessage) -> None:
        super().__init__()
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog"):
            yield Label("Add a message to this job", id="add-title")
            yield Input(placeholder="content", id="add-content")
            yield Select([(role, role) for role in ROLES], value="user", allow_blank=False, id="add-role")
            yield Label("enter/ctrl+s add · tab next field · escape cancel", id="add-help")
        yield KeyFooter()

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
        self.run_save(content, str(role) if role in ROLES else "user")

    @work(exclusive=True, group="add-message")
    async def run_save(self, content: str, role: str) -> None:
        try:
            await self.save(content, role)
        except ServiceError as err:
            self.host.report(err)
            return
        self.dismiss((content, role))

    def action_cancel(self) -> None:
        self.dismiss(None)
