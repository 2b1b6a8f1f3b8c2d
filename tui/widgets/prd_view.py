"""The PRD: Markdown in a keyboard-scrollable pane, searchable with `/` (tui/widgets/find_bar.py)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.style import Style
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownBlock, MarkdownFence

from tui.printable import printable
from tui.widgets.find_bar import find_all, match_styles


class PrdView(VerticalScroll, can_focus=True):
    """Matches are highlighted in the rendered text of each Markdown block (code fences excepted). The PRD
    is the server's text: it is shown without terminal controls (`show`)."""

    def __init__(self, markdown: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.markdown = markdown
        self.hits: list[tuple[MarkdownBlock, int, int]] = []
        self.marked: set[MarkdownBlock] = set()
        self.find_query = ""

    def compose(self) -> ComposeResult:
        yield Markdown(printable(self.markdown), id="prd")

    def show(self, markdown: str) -> None:
        """Show another PRD (Markdown: the server's text, drawn without terminal controls)."""
        self.markdown = markdown
        self.query_one("#prd", Markdown).update(printable(markdown))

    def blocks(self) -> list[MarkdownBlock]:
        """Blocks with text of their own, top to bottom (`_content` is the block's rendered text in the
        pinned Textual; a fence draws its code in a child, so it is left out)."""
        return [block for block in self.query(MarkdownBlock)
                if not isinstance(block, MarkdownFence) and block._content.plain]  # noqa: SLF001

    def search(self, query: str) -> tuple[int, int]:
        self.find_query = query
        self.hits = [(block, start, end) for block in self.blocks()
                     for start, end in find_all(block._content.plain, query)]  # noqa: SLF001
        self.paint(None)
        top = self.scroll_offset.y
        first = next((i for i, (block, _, _) in enumerate(self.hits)
                      if block.virtual_region.y >= top), 0)
        return len(self.hits), first

    def show_match(self, index: int) -> None:
        if not 0 <= index < len(self.hits):
            return
        self.paint(self.hits[index])
        block = self.hits[index][0]
        self.scroll_to_center(block, animate=False)

    def paint(self, current: tuple[MarkdownBlock, int, int] | None) -> None:
        """Redraw the blocks with matches (and those that had some) with every match highlighted."""
        every, now = match_styles(self)
        by_block: dict[MarkdownBlock, list[tuple[int, int]]] = {}
        for block, start, end in self.hits:
            by_block.setdefault(block, []).append((start, end))
        for block in self.marked - by_block.keys():
            if block.is_attached:
                    block.update(block._content)  # noqa: SLF001
        for block, spans in by_block.items():
            if not block.is_attached:
                continue
            content = block._content  # noqa: SLF001
            for start, end in spans:
                style = now if current == (block, start, end) else every
                content = content.stylize(Style.from_rich_style(style), start, end)
            block.update(content)
        self.marked = set(by_block)
