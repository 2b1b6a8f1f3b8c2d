"""Create project: a multi-line prompt editor with a live length counter; ctrl+s submits, text never lost."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static, TextArea

from tui.messages import JobsChanged, OpenJob
from tui.printable import one_line
from tui.protocols import AppHost
from tui.screens.confirm import ConfirmScreen
from tui.screens.prompt_editor import EDITOR_KEY, edit_in_editor
from tui.services import AuthRequired, ServiceError, ValidationFailed
from tui.widgets.connection import ConnectionIndicator
from tui.widgets.key_footer import KeyFooter
from tui.widgets.printable_area import PrintableTextArea

DEFAULT_MAX = 20000
HINT = "Describe the app you want: who uses it, what it does, what matters most."


class CreateProjectScreen(Screen[None]):
    CSS_PATH = "create_project.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Create", priority=True),
        Binding(EDITOR_KEY, "external_editor", "$EDITOR"),
        Binding("escape", "cancel", "Cancel"),
    ]
    host = AppHost()

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial_text = text
        self.busy = False

    @property
    def max_length(self) -> int:
        info = self.host.server_info
        return info.max_prompt_length if info is not None else DEFAULT_MAX

    def compose(self) -> ComposeResult:
        with Horizontal(id="create-header"):
            yield Static("New project", id="create-title")
            yield ConnectionIndicator(id="create-connection")
        yield Static(HINT, id="create-hint")
        yield PrintableTextArea(self.initial_text, id="prompt", soft_wrap=True, tab_behavior="focus")
        with Horizontal(id="create-status"):
            yield Static("", id="create-error")
            yield Static("", id="create-counter")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.update_counter()
        self.query_one("#prompt", TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one("#prompt", TextArea).text

    @on(TextArea.Changed, "#prompt")
    def changed(self) -> None:
        self.update_counter()
        self.show_error("")

    def update_counter(self) -> None:
        length, limit = len(self.text), self.max_length
        counter = self.query_one("#create-counter", Static)
        over = length > limit
        label = f"{length:,} / {limit:,}" + (f"  ({length - limit:,} over)" if over else "")
        counter.update(Text(label))
        counter.set_class(over, "-over")
        counter.set_class(not over and length > limit * 0.9, "-near")

    def show_error(self, text: str) -> None:
        label = self.query_one("#create-error", Static)
        label.update(Text(one_line(text)))  # may be the server's words (a rejected prompt)
        label.set_class(bool(text), "-visible")

    def action_submit(self) -> None:
        if self.busy:
            return
        text = self.text
        if not text.strip():
            self.show_error("Write a prompt first: it cannot be empty.")
            return
        if len(text) > self.max_length:
            self.show_error(f"The prompt is {len(text) - self.max_length:,} characters over the "
                            f"{self.max_length:,} limit.")
            return
        self.create(text)

    @work(exclusive=True, group="create")
    async def create(self, text: str) -> None:
        self.busy = True
        self.show_error("")
        self.query_one("#create-counter", Static).update("Creating…")
        try:
            job = await self.host.client.create_job(text)
        except AuthRequired as err:  # the app shows login on top (deduplicated if the client did too)
            self.host.report(err)
            return
        except ValidationFailed as err:
            fields = err.fields.get("initial_prompt") or err.fields.get("detail")
            self.show_error(" ".join(fields) if fields else err.message)
            return
        except ServiceError as err:
            self.show_error(err.message)
            self.host.report(err)
            return
        finally:
            self.busy = False
            self.update_counter()
        self.post_message(JobsChanged(job.id))
        self.post_message(OpenJob(job.id))

    def action_external_editor(self) -> None:
        edit_in_editor(self.app, self.query_one("#prompt", TextArea))

    def action_cancel(self) -> None:
        if self.text.strip():
            self.app.push_screen(ConfirmScreen("Discard this prompt?", title="Cancel new project",
                                               yes_label="Discard"), self.discarded)
        else:
            self.dismiss()

    def discarded(self, yes: bool | None) -> None:
        if yes:
            self.dismiss()
