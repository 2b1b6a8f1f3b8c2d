"""What a row of the jobs list says, cell by cell, and how wide each column is: Textual-free.

The dashboard's table (tui/widgets/jobs_table.py) draws these cells with the theme's colours; the frame
painted before Textual is imported (tui/early_splash.py) writes the same text at the same columns, so the
hand-over from one to the other changes colours, not words. Every cell from the server goes through
`one_line` (tui/printable.py): no terminal control from a title reaches the screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.cells import cell_len, set_cell_size

from tui.printable import one_line
from tui.services.records import JobSummary

# column key, label, width (None: the title takes the rest)
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("id", "#", 6), ("title", "title", None), ("status", "status", 11), ("stage", "stage", 17),
    ("updated", "updated", 9),
)
PADDING = 1  # blank cells each side of a column, as DataTable draws them
MIN_TITLE = 16
FIXED = sum(width or 0 for _, _, width in COLUMNS) + 2 * PADDING * len(COLUMNS)


def ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now" if seconds < 10 else f"{seconds}s ago"


def stage_text(job: JobSummary) -> str:
    if not job.current_stage:
        return "-"
    stage = one_line(job.current_stage)
    if job.status in ("done", "failed") or job.stage_progress in (None, 0, 100):
        return stage
    return f"{stage} {job.stage_progress}%"


def title_text(job: JobSummary) -> str:
    text = job.title or job.initial_prompt
    return one_line(text.splitlines()[0]) if text else ""


def job_cells(job: JobSummary) -> tuple[str, str, str, str]:
    """Every cell but the age (which changes with the clock, not with the job)."""
    return (f"#{job.id}", title_text(job), one_line(job.status), stage_text(job))


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)


def column_widths(available: int) -> tuple[int, ...]:
    """Column widths (without padding) for `available` cells; the title takes what the others leave."""
    title = max(MIN_TITLE, available - FIXED)
    return tuple(title if width is None else width for _, _, width in COLUMNS)


def header_labels(sort_column: str, reverse: bool) -> list[str]:
    arrow = " ▼" if reverse else " ▲"
    return [label + (arrow if key == sort_column else "") for key, label, _ in COLUMNS]


def padded(texts: Sequence[str], widths: tuple[int, ...]) -> list[str]:
    """Each cell as drawn: fitted to its column, with the padding each side."""
    pad = " " * PADDING
    return [pad + fit(text, width) + pad for text, width in zip(texts, widths, strict=True)]


def heading(username: str | None, server_url: str) -> str:
    """The dashboard's title line."""
    who = f"{one_line(username)} @ {one_line(server_url)}" if username else one_line(server_url)
    return f"appbuilder · projects · {who}"


def count_text(shown: int, known: int) -> str:
    return f"{shown} of {known} projects"


def loading_text(shown: int, loaded: int, total: int) -> str:
    return f"{shown} shown · loading {loaded:,} of {total:,} projects…"
