"""Code view (issue 11, item 5): read-only TextArea with tree-sitter highlighting; a language without a
grammar shows as plain text; long lines scroll sideways instead of being cut; the header stays put."""

from __future__ import annotations

from textual.widgets import Static, TextArea

from tests.tui.harness import FILES, LONG_COMMENT, FakeClient, HostApp, wait_for
from tui.screens.app_detail import AppDetailScreen
from tui.widgets.file_viewer import FileViewer


async def test_highlighting_fallback_and_long_lines() -> None:
    app = HostApp(lambda: AppDetailScreen(3), FakeClient())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: getattr(screen, "state", "") == "ready", what="app detail loaded")
        viewer = screen.query_one(FileViewer)
        code = screen.query_one("#code", TextArea)
        by_path = {file.path: file for file in FILES}
        viewer.show_file(by_path["backend/app.py"])
        assert code.read_only and code.language == "python" and code.text == by_path["backend/app.py"].content
        viewer.show_file(by_path["frontend/app.zz"])  # "klingon": no grammar
        assert code.language is None and code.text == "qapla'\n"
        assert "frontend/app.zz" in str(screen.query_one("#code-title", Static).render())
        viewer.show_file(by_path["backend/app.py"])
        code.focus()
        code.move_cursor((7, 0))
        await pilot.press("end")
        await wait_for(pilot, lambda: code.scroll_x > 0, what="scrolled sideways")
        row = code.render_line(code.cursor_screen_offset.y - code.region.y).text
        assert LONG_COMMENT.split()[-1] in row  # the end of the long line is on screen
        assert "backend/app.py" in str(screen.query_one("#code-title", Static).render())  # header stays
