"""Build stage progress: one labelled ProgressBar per pipeline stage."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar

from tui.printable import identifier_part, one_line
from tui.services import Stage

STAGES: tuple[str, ...] = ("planning", "architecture", "coding", "testing", "deploy")
STATUS_ICONS = {"pending": "·", "running": "▶", "done": "✔", "failed": "✘"}


class StageRow(Horizontal):
    """One stage: name, bar, status word. The name and the status are the server's words: drawn as Text
    (a str Label is markup) without terminal controls, and the name is only an id when it can be one."""

    DEFAULT_CSS = """
    StageRow { height: 1; }
    StageRow .stage-name { width: 16; text-wrap: nowrap; text-overflow: ellipsis; }
    StageRow ProgressBar { width: 1fr; }
    StageRow ProgressBar Bar { width: 1fr; }
    StageRow .stage-status { width: 10; padding-left: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    StageRow.-done .stage-status { color: $success; }
    StageRow.-running .stage-status { color: $warning; text-style: bold; }
    StageRow.-failed .stage-status { color: $error; text-style: bold; }
    StageRow.-pending .stage-status { color: $text-muted; }
    """

    def __init__(self, stage: str) -> None:
        super().__init__(id=f"stage-{stage}" if identifier_part(stage) else None, classes="-pending")
        self.stage = stage
        self.status = "pending"
        self.progress = 0

    def compose(self) -> ComposeResult:
        yield Label(self.label(), classes="stage-name")
        yield ProgressBar(total=100, show_eta=False, show_percentage=True)
        yield Label("pending", classes="stage-status")

    def label(self) -> Text:
        return Text(f"{STATUS_ICONS.get(self.status, '?')} {one_line(self.stage)}")

    def set_state(self, status: str, progress: int) -> None:
        self.status = status
        self.progress = max(0, min(100, 100 if status == "done" else progress))
        for name in ("pending", "running", "done", "failed"):
            self.set_class(status == name, f"-{name}")
        if self.is_mounted:
            self.draw()

    def draw(self) -> None:
        if not self.query(".stage-name"):  # its screen closed before it was composed
            return
        self.query_one(".stage-name", Label).update(self.label())
        self.query_one(".stage-status", Label).update(Text(one_line(self.status)))
        self.query_one(ProgressBar).update(progress=self.progress)

    def on_mount(self) -> None:
        # drawn here, not through set_state: `is_mounted` is still False during on_mount, and a stage the
        # server adds later (mounted then) kept showing "pending" and 0%
        self.draw()


class StageProgress(Vertical):
    """All pipeline stages, in order; unknown stage names are appended."""

    DEFAULT_CSS = """
    StageProgress { height: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        for stage in STAGES:
            yield StageRow(stage)

    def row(self, stage: str) -> StageRow:
        rows = [row for row in self.query(StageRow) if row.stage == stage]
        if rows:
            return rows[0]
        row = StageRow(stage)
        self.mount(row)
        return row

    def update_stage(self, stage: str, status: str, progress: int) -> None:
        self.row(stage).set_state(status, progress)

    def load(self, stages: Iterable[Stage]) -> None:
        for stage in stages:
            self.update_stage(stage.name, stage.status, stage.progress)

    def job_failed(self) -> None:
        """The job failed: a stage still marked running (the server may leave it so) failed with it."""
        for row in self.query(StageRow):
            if row.status == "running":
                row.set_state("failed", row.progress)

    def states(self) -> dict[str, tuple[str, int]]:
        return {row.stage: (row.status, row.progress) for row in self.query(StageRow)}

    @property
    def all_done(self) -> bool:
        return all(row.status == "done" for row in self.query(StageRow))
