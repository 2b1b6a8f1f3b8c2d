"""The jobs table draws server text without terminal controls: Textual writes a Line-API strip's text to the
terminal as it is, so an ESC in a title would have been an escape sequence on the user's terminal."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.support.hostile import LINE_CONTROLS, TITLE, TITLE_SHOWN
from tui.services.records import JobSummary
from tui.widgets.jobs_table import JobsTable


def job(title: str, status: str, stage: str) -> JobSummary:
    return JobSummary.parse({"id": 1, "title": title, "initial_prompt": "p", "status": status,
                             "current_stage": stage, "created_at": "2026-11-26T12:00:00Z",
                             "updated_at": "2026-11-26T12:00:00Z"})


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield JobsTable(id="jobs")


async def test_hostile_title_status_and_stage_are_drawn_as_plain_text() -> None:
    hostile = job(TITLE + "\nsecond line", status="building\x1b[5m", stage="deploy\x1b]2;x\x07")
    app = TableApp()
    async with app.run_test(size=(140, 10)):
        table = app.query_one(JobsTable)
        table.show([1], {1: hostile})
        line = table.render_line(1).text
    assert not LINE_CONTROLS.search(line), repr(line)
    assert TITLE_SHOWN in line and "second line" not in line
    assert "building[5m" in line and "deploy]2;x" in line
