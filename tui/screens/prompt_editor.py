"""Edit-prompt modal: a TextArea with the current prompt; ctrl+s saves through a callback, escape cancels."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea

from tui.protocols import AppHost
from tui.services import AuthRequired, ServiceError
from tui.widgets.key_footer import KeyFooter
from tui.widgets.printable_area import PrintableTextArea

SaveCallback = Callable[[str], Awaitable[None]]
EDITOR_KEY = "ctrl+o"  # ctrl+e is the TextArea's end-of-line


class EditorFailed(Exception):
    """The external editor could not run or exited with an error; the message is one line."""


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR (either may carry arguments, e.g. "code --wait"), else vi."""
    chosen = os.environ.get("VISUAL", "").strip() or os.environ.get("EDITOR", "").strip() or "vi"
    return shlex.split(chosen)


def run_editor(text: str, command: list[str] | None = None) -> str:
    """Write `text` to a private temp file (0600), run the editor on it and wait, return what it saved.

    Blocking; the caller hands the terminal over first (App.suspend). The file is always removed."""
    argv = command if command is not None else editor_command()
    fd, name = tempfile.mkstemp(prefix="appbuilder-prompt-", suffix=".md")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            result = subprocess.run([*argv, name], check=False)
        except OSError as err:
            raise EditorFailed(f"Could not run the editor {argv[0]!r}: {err.strerror or err}.") from None
        if result.returncode != 0:
            raise EditorFailed(f"The editor {argv[0]!r} exited with status {result.returncode}: "
                               "the text is unchanged.")
        edited = Path(name).read_text(encoding="utf-8")
    finally:
        Path(name).unlink(missing_ok=True)
    if not text.endswith("\n") and edited.endswith("\n"):
        edited = edited[:-1]  # editors add a final newline; it is not part of the prompt
    return edited


def edit_in_editor(app: App, area: TextArea) -> None:
    """Suspend the app, edit `area`'s text in $VISUAL/$EDITOR, put the result back; problems are notified."""
    try:
        with app.suspend():
            edited = run_editor(area.text)
    except SuspendNotSupported:
        app.notify("An external editor cannot run here (the terminal cannot be handed over).",
                   severity="warning")
        return
    except EditorFailed as err:
        app.notify(str(err), severity="error", markup=False)
        return
    if edited != area.text:
        area.load_text(edited)
        area.move_cursor(area.document.end)
    area.focus()


class PromptEditorScreen(ModalScreen[str | None]):
    """Dismisses with the saved prompt, or None when cancelled; on a save error it stays open."""

    CSS_PATH = "prompt_editor.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding(EDITOR_KEY, "external_editor", "$EDITOR"),
        Binding("escape", "cancel", "Cancel"),
    ]
    host = AppHost()

    def __init__(self, prompt: str, save: SaveCallback, title: str = "Edit prompt") -> None:
        super().__init__()
        self.prompt = prompt
        self.save = save
        self.title_text = title
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Label(self.title_text, id="prompt-title")
            # the prompt as the server has it, saved back as edited: only the drawing drops terminal
            # controls (PrintableTextArea), so saving never loses a character the user did not delete
            yield PrintableTextArea(self.prompt, id="prompt-text", soft_wrap=True, show_line_numbers=False,
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
            self.host.report(err)
            help_label.update("Log in again, then press ctrl+s to save.")
            return
        except ServiceError as err:
            help_label.update("ctrl+s save · escape cancel")
            self.host.report(err)
            return
        finally:
            self.saving = False
        self.dismiss(text)

    def action_external_editor(self) -> None:
        edit_in_editor(self.app, self.query_one(TextArea))

    def action_cancel(self) -> None:
        self.dismiss(None)
