"""Edit-prompt modal: a TextArea with the current prompt; ctrl+s saves through a callback, escape cancels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from tui.messages import AuthLost
from tui.services import AuthRequired, ServiceError
from tui.widgets.key_footer import KeyFooter

SaveCallback = Callable[[str], Awaitable[None]]


class PromptEditorScreen(ModalScreen[str | None]):
    """Dismisses with the saved prompt, or None when cancelled; on a save error it stays open."""

    CSS_PATH = "prompt_editor.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, prompt: str, save: SaveCallback, title: str = "Edit prompt") -> None:
        super().__init__()
        self.prompt = prompt
        self.save = save
        self.title_text = title
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Label(self.title_text, id="prompt-title")
            yield TextArea(self.prompt, id="prompt-text", soft_wrap=True, show_line_numbers=False,
                           tab_behavior="focus")
            yield Label("ctrl+s save · escape cancel", id="prompt-help")
        yield KeyFooter()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        text = self.text
        if not text.strip():
            self.notify("The prompt cannot be empty.", severity="error")
            return
        if not self.saving:
            self.run_save(text)

    @work(exclusive=True, group="prompt-save")
    async def run_save(self, text: str) -> None:
        self.saving = True
        help_label = self.query_one("#prompt-help", Label)
        help_label.update("Saving…")
        try:
            await self.save(text)
        except AuthRequired as err:
            self.post_message(AuthLost(err.message))
            help_label.update("Log in again, then press ctrl+s to save.")
            return
        except ServiceError as err:
            help_label.update("ctrl+s save · escape cancel")
            self.notify(err.message, severity="error")
            return
        finally:
            self.saving = False
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
