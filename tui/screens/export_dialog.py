"""Modal asking where to export an app's files; dismisses with the directory (None on escape)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.printable import one_line


class ExportDialog(ModalScreen[Path | None]):
    CSS_PATH = "export_dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, app_name: str, default: Path) -> None:
        super().__init__()
        self.app_name = app_name
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Label(Text(f"Export the files of {one_line(self.app_name)}"), id="export-title")
            yield Input(str(self.default), placeholder="directory", id="export-dir")
            yield Label("enter export · escape cancel (existing files are only replaced if you say so)",
                        id="export-help")

    def on_mount(self) -> None:
        self.query_one("#export-dir", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.notify("Type a directory to export to.", severity="error")
            return
        self.dismiss(Path(text).expanduser())

    def action_cancel(self) -> None:
        self.dismiss(None)
