"""App files: a tree of paths next to a read-only, syntax-highlighted view of the selected file.

The code is a read-only `TextArea` (tree-sitter highlighting from `textual[syntax]`, colours from the app
theme): it scrolls both ways, so long lines are read in full, and it shows a 3,000-line Python file in
0.7 s where Rich's Syntax in a Static took 2.7 s (headless, to the first frame). A language without a
tree-sitter grammar shows as plain text. `/` finds text in the shown file (tui/widgets/find_bar.py): the
current match is selected.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static, Tree
from textual.widgets.text_area import Document, Selection

from tui.printable import one_line
from tui.services import AppFile
from tui.widgets.find_bar import FindArea, find_all
from tui.widgets.printable_area import PrintableTextArea

# the service's language names (and file extensions) -> tree-sitter language names
LANGUAGE_ALIASES = {"py": "python", "js": "javascript", "jsx": "javascript", "md": "markdown", "yml": "yaml",
                    "sh": "bash", "shell": "bash", "htm": "html", "rs": "rust", "golang": "go"}


def language_for(file: AppFile, available: set[str]) -> str | None:
    """A tree-sitter language for the file (by its language, then its extension); None: plain text."""
    candidates = [(file.language or "").strip().lower(), file.path.rsplit(".", 1)[-1].lower()
                  if "." in file.path else ""]
    for candidate in candidates:
        name = LANGUAGE_ALIASES.get(candidate, candidate)
        if name in available:
            return name
    return None


class FileTree(Tree[AppFile | None]):
    """Paths as nested folders; leaves carry the AppFile. Labels are Text without terminal controls (Tree
    reads a str label as markup, and the paths are the server's)."""

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
                    folders[key] = parent.add(Text(one_line(f"{part}/")), expand=True)
                parent = folders[key]  # type: ignore[assignment]
            parent.add_leaf(Text(one_line(parts[-1])), data=file)

    def first_file_line(self) -> int | None:
        for line in range(self.last_line + 1):
            node = self.get_node_at_line(line)
            if node is not None and node.data is not None:
                return line
        return None


class CodeArea(PrintableTextArea):
    """The read-only code, searchable: a match is shown by selecting it. It holds the file as the server
    sent it and draws it without terminal controls (PrintableTextArea)."""

    hits: list[tuple[int, int]] = []

    @property
    def plain(self) -> Document:
        """The shown document: a viewer never wraps it, so it is always a plain `Document`."""
        if not isinstance(self.document, Document):
            raise TypeError(f"CodeArea shows a plain Document, not {type(self.document).__name__}")
        return self.document

    def search(self, query: str) -> tuple[int, int]:
        self.hits = find_all(self.text, query)
        if not query:
            self.selection = Selection.cursor(self.selection.end)
        cursor = self.plain.get_index_from_location(self.selection.start)
        return len(self.hits), next((i for i, (start, _) in enumerate(self.hits) if start >= cursor), 0)

    def show_match(self, index: int) -> None:
        if 0 <= index < len(self.hits):
            start, end = (self.plain.get_location_from_index(offset) for offset in self.hits[index])
            self.selection = Selection(start, end)
            self.scroll_cursor_visible(center=True)


class FileViewer(Horizontal):
    """Tree on the left, code on the right; `enter` or moving the cursor shows a file."""

    DEFAULT_CSS = """
    FileViewer { height: 1fr; }
    FileViewer FileTree { width: 30%; min-width: 16; max-width: 48; border-right: vkey $panel; }
    FileViewer #code-pane { width: 1fr; }
    FileViewer #code-title { background: $panel; padding: 0 1; width: 1fr; height: 1; }
    FileViewer #code { height: 1fr; border: none; padding: 0; }
    FileViewer #code:focus { border: none; background-tint: $foreground 3%; }
    """

    def __init__(self, files: Sequence[AppFile], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.files = list(files)
        self.current: AppFile | None = None

    def compose(self) -> ComposeResult:
        yield FileTree(self.files, id="file-tree")
        with Vertical(id="code-pane"):
            yield Static("This app has no files." if not self.files else "Select a file.", id="code-title")
            yield FindArea(CodeArea("", id="code", read_only=True, show_line_numbers=True, soft_wrap=False,
                                    theme="css", tab_behavior="focus"), id="code-find-area")

    def on_mount(self) -> None:
        tree = self.query_one(FileTree)
        line = tree.first_file_line()
        if line is not None:
            tree.cursor_line = line
            node = tree.get_node_at_line(line)
            if node is not None and node.data is not None:
                self.show_file(node.data)

    def find(self) -> None:
        """`/` from anywhere on the Files tab: find in the shown file."""
        self.query_one(FindArea).action_find()

    def show_file(self, file: AppFile) -> None:
        self.current = file
        area = self.query_one(FindArea)
        if area.is_open:
            area.action_close_find()
        code = self.query_one("#code", CodeArea)
        language = language_for(file, set(code.available_languages))
        shown = language or "plain text"
        title = one_line(f"{file.path}  ({file.language or shown})")
        self.query_one("#code-title", Static).update(Text(title))
        code.language = None  # set the text first: one parse, not one per language change
        code.load_text(file.content or "")
        code.language = language
        code.move_cursor((0, 0))
        code.scroll_home(animate=False)

    @on(Tree.NodeHighlighted)
    @on(Tree.NodeSelected)
    def _file_chosen(self, event: Tree.NodeHighlighted | Tree.NodeSelected) -> None:
        data = event.node.data
        if isinstance(data, AppFile) and data is not self.current:
            self.show_file(data)
