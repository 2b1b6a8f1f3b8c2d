"""App files: a tree of paths next to a read-only, syntax-highlighted view of the selected file."""

from __future__ import annotations

from collections.abc import Sequence

from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, Tree

from tui.services import AppFile

LEXER_ALIASES = {"py": "python", "js": "javascript", "ts": "typescript", "tsx": "tsx", "md": "markdown",
                 "yml": "yaml", "sh": "bash", "shell": "bash", "dockerfile": "docker", "txt": "text"}


def lexer_for(file: AppFile) -> str:
    """A pygments lexer name for the file; unknown languages fall back to the file extension, then text."""
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    from pygments.util import ClassNotFound

    language = (file.language or "").strip().lower()
    name = LEXER_ALIASES.get(language, language)
    if name:
        try:
            get_lexer_by_name(name)
            return name
        except ClassNotFound:
            pass
    try:
        return get_lexer_for_filename(file.path).aliases[0]
    except ClassNotFound:
        return "text"


class FileTree(Tree[AppFile | None]):
    """Paths as nested folders; leaves carry the AppFile."""

    def __init__(self, files: Sequence[AppFile], **kwargs: object) -> None:
        super().__init__("files", **kwargs)  # type: ignore[arg-type]
        self.show_root = False
        self.guide_depth = 2
        folders: dict[str, object] = {}
        for file in sorted(files, key=lambda f: f.path):
            parent = self.root
            parts = file.path.strip("/").split("/")
            for depth, part in enumerate(parts[:-1]):
                key = "/".join(parts[: depth + 1])
                if key not in folders:
                    folders[key] = parent.add(f"{part}/", expand=True)
                parent = folders[key]  # type: ignore[assignment]
            parent.add_leaf(parts[-1], data=file)  # type: ignore[attr-defined]

    def first_file_line(self) -> int | None:
        for line in range(self.last_line + 1):
            node = self.get_node_at_line(line)
            if node is not None and node.data is not None:
                return line
        return None


class FileViewer(Horizontal):
    """Tree on the left, code on the right; `enter` or moving the cursor shows a file."""

    DEFAULT_CSS = """
    FileViewer { height: 1fr; }
    FileViewer FileTree { width: 32; min-width: 20; border-right: vkey $panel; }
    FileViewer #code-scroll { width: 1fr; }
    FileViewer #code-title { background: $panel; padding: 0 1; width: 1fr; }
    FileViewer #code { width: auto; min-width: 100%; }
    FileViewer #code-scroll:focus { background-tint: $foreground 3%; }
    """

    def __init__(self, files: Sequence[AppFile], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.files = list(files)
        self.current: AppFile | None = None

    def compose(self) -> ComposeResult:
        yield FileTree(self.files, id="file-tree")
        with VerticalScroll(id="code-scroll", can_focus=True):
            yield Static("", id="code-title")
            yield Static(Text("This app has no files." if not self.files else "Select a file."), id="code")

    def on_mount(self) -> None:
        tree = self.query_one(FileTree)
        line = tree.first_file_line()
        if line is not None:
            tree.cursor_line = line
            node = tree.get_node_at_line(line)
            if node is not None and node.data is not None:
                self.show_file(node.data)

    def show_file(self, file: AppFile) -> None:
        self.current = file
        self.query_one("#code-title", Static).update(Text(f"{file.path}  ({file.language or 'text'})"))
        syntax = Syntax(file.content or "", lexer_for(file), line_numbers=True, word_wrap=False,
                        theme="monokai", indent_guides=False)
        self.query_one("#code", Static).update(syntax)
        self.query_one("#code-scroll", VerticalScroll).scroll_home(animate=False)

    @on(Tree.NodeHighlighted)
    @on(Tree.NodeSelected)
    def _file_chosen(self, event: Tree.NodeHighlighted | Tree.NodeSelected) -> None:
        data = event.node.data
        if isinstance(data, AppFile) and data is not self.current:
            self.show_file(data)
