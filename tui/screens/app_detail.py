"""One generated app: header facts, then Files / Architecture / Preview tabs."""

from __future__ import annotations

import asyncio
import os
import re
import webbrowser
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from tui.printable import one_line, printable
from tui.protocols import AppHost
from tui.screens.confirm import ConfirmScreen
from tui.screens.export_dialog import ExportDialog
from tui.services import App, ServiceError
from tui.services.export import ExportError, WouldOverwrite, export_files
from tui.widgets.architecture_tree import ArchitectureTree
from tui.widgets.feedback import go_back, when
from tui.widgets.file_viewer import FileViewer
from tui.widgets.key_footer import KeyFooter


def graphical_browser_available() -> bool:
    """False when the only browser is a terminal one (lynx, w3m...): it would take over this terminal.

    A BROWSER environment variable is the user's explicit choice and is always respected.
    """
    if os.environ.get("BROWSER"):
        return True
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    console = isinstance(browser, webbrowser.GenericBrowser) and not isinstance(browser,
                                                                                webbrowser.BackgroundBrowser)
    return not console


def export_dir_name(model: App) -> str:
    """A short directory name from the app's name: 'Todo App!' -> 'todo-app' (the id if nothing is left)."""
    slug = re.sub(r"[^a-z0-9]+", "-", model.name.lower()).strip("-")
    if len(slug) > 40:
        slug = slug[:40].rsplit("-", 1)[0]
    return slug or f"app-{model.id}"


def preview_text(model: App) -> Text:
    if not model.preview_url:
        return Text("This app has no preview URL.", style="italic")
    return Text.assemble(("Preview URL\n\n", "bold"), (one_line(model.preview_url), "underline"),
                         ("\n\nc copies it to the clipboard · o opens it in a browser", "dim"))


class AppTabs(Vertical):
    """Files / Architecture / Preview of one app."""

    def __init__(self, model: App) -> None:
        super().__init__(id="app-tabs-box")
        self.model = model

    def compose(self) -> ComposeResult:
        with TabbedContent(id="app-tabs", initial="tab-files"):
            with TabPane("Files", id="tab-files"):
                yield FileViewer(self.model.files, id="files")
            with TabPane("Architecture", id="tab-architecture"):
                yield ArchitectureTree(self.model.name, self.model.architecture, id="arch")
            with TabPane("Preview", id="tab-preview"):
                yield Static(preview_text(self.model), id="preview")


class AppDetailScreen(Screen[None]):
    CSS_PATH = "app_detail.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("1", "show_tab('tab-files')", "Files"),
        Binding("2", "show_tab('tab-architecture')", "Architecture"),
        Binding("3", "show_tab('tab-preview')", "Preview"),
        Binding("c", "copy_url", "Copy URL"),
        Binding("o", "open_url", "Open in browser"),
        Binding("e", "export", "Export"),
        Binding("slash", "find", "Find in file", show=False),
        Binding("r", "reload", "Reload"),
    ]
    host = AppHost()

    def __init__(self, app_id: int) -> None:
        super().__init__()
        self.app_id = app_id
        self.model: App | None = None
        self.state = "loading"

    def compose(self) -> ComposeResult:
        yield Static(Text(f"App #{self.app_id}"), id="app-title")
        yield Static("Loading the app…", id="app-facts")
        yield Vertical(id="app-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        try:
            model = await self.host.client.get_app(self.app_id)
        except ServiceError as err:
            self.host.report(err)
            self.state = "error"
            facts = self.query_one("#app-facts", Static)
            facts.update(Text(f"Could not load the app: {one_line(err.message)} (r retries)"))
            facts.add_class("-error")
            return
        self.model = model
        await self.show(model)

    async def show(self, model: App) -> None:
        """The app as the server sent it (`self.model`, which export writes), drawn without terminal
        controls; the tabs' widgets clean their own text."""
        self.query_one("#app-title", Static).update(Text(one_line(model.name), style="bold"))
        facts = self.query_one("#app-facts", Static)
        facts.remove_class("-error")
        facts.update(Text.assemble(
            ("job ", "dim"), f"#{model.job}", ("   created ", "dim"), when(model.created_at),
            ("   files ", "dim"), str(len(model.files)),
            ("   preview ", "dim"), one_line(model.preview_url or "-"),
            *((("\n", ""), (printable(model.description), "italic")) if model.description else ()),
        ))
        body = self.query_one("#app-body", Vertical)
        await body.remove_children()
        await body.mount(AppTabs(model))
        self.state = "ready"
        self.query_one("#file-tree").focus()

    def action_show_tab(self, tab: str) -> None:
        if self.state == "ready":
            self.query_one("#app-tabs", TabbedContent).active = tab
            focus = {"tab-files": "#file-tree", "tab-architecture": "#arch"}.get(tab)
            if focus:
                self.query_one(focus).focus()

    def action_copy_url(self) -> None:
        url = self.model.preview_url if self.model else ""
        if not url:
            self.notify("No preview URL to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {one_line(url)}", markup=False)

    def action_open_url(self) -> None:
        url = self.model.preview_url if self.model else ""
        if not url:
            self.notify("No preview URL to open.", severity="warning")
            return
        self.open_url(url)

    @work(thread=True, exclusive=True, group="browser")
    def open_url(self, url: str) -> None:
        try:
            opened = graphical_browser_available() and webbrowser.open(url)
        except webbrowser.Error:
            opened = False
        shown = one_line(url)
        if opened:
            self.app.call_from_thread(self.notify, f"Opened {shown} in a browser.", markup=False)
        else:
            self.app.call_from_thread(self.notify,
                                      f"No browser available here: copy the URL with c ({shown}).",
                                      severity="warning", markup=False)

    def action_export(self) -> None:
        if self.model is None:
            self.notify("The app is not loaded yet.", severity="warning")
            return
        default = Path.cwd() / export_dir_name(self.model)
        self.app.push_screen(ExportDialog(self.model.name, default), self.exported)

    def exported(self, directory: Path | None) -> None:
        """The export dialog's answer: a directory to write to, or None (cancelled)."""
        self.export_to(directory)

    @work(exclusive=True, group="export")
    async def export_to(self, directory: Path | None, force: bool = False) -> None:
        """Write the files (in a thread: it is disk I/O); on existing files ask first, then overwrite."""
        if directory is None or self.model is None:
            return
        try:
            written = await asyncio.to_thread(export_files, self.model.files, directory, force)
        except WouldOverwrite as err:
            question = err.message.replace("use --force to overwrite.", "overwrite them?")
            if await self.app.push_screen_wait(ConfirmScreen(question, title="Overwrite?",
                                                             yes_label="Overwrite")):
                self.export_to(directory, force=True)
            else:
                self.notify("Export cancelled: nothing was written.")
            return
        except ExportError as err:  # it may name a file: the server's path
            self.notify(one_line(err.message), severity="error", markup=False)
            return
        files = f"{len(written)} file{'s' if len(written) != 1 else ''}"
        self.notify(f"Exported {files} to {one_line(str(directory))}", markup=False)

    def action_reload(self) -> None:
        self.load()

    def action_find(self) -> None:
        if self.state != "ready":
            return
        self.action_show_tab("tab-files")
        self.query_one(FileViewer).find()

    def action_back(self) -> None:
        go_back(self)
