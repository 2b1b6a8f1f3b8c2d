"""The terminal's first frame, written before Textual is imported.

Importing Textual and starting its app takes ~250-350 ms of CPU on a small machine before its first frame;
until then the terminal would show nothing of the app. This writes the same neutral splash Textual's first
frame shows ("appbuilder — starting…", centred, on the alternate screen) in well under a millisecond, right
after the command line is parsed. Textual's driver then switches to the alternate screen again (a no-op
there, or a clear) and paints over it; when it leaves, it leaves the alternate screen for us. Only if the
process ends before Textual's driver has started does `withdraw` leave it (and show the cursor again).

When the saved session and the list's first page are answered before Textual is imported (the requests
travel while it loads: tui/start_requests.py), `paint_rows` replaces the splash with the dashboard's rows:
the same words at the same columns as the dashboard's table draws them (tui/job_rows.py), in the terminal's
own colours. The app then holds its frames until its dashboard has those rows (`AppBuilderApp`'s
`early_rows`), so Textual's first frame is the same dashboard in the theme's colours, with keys working.

Keys typed on that frame are kept for the app. From the splash on, the terminal echoes nothing (a key would
be written over the frame), edits no line, and leaves Enter a carriage return (cooked, it became a line feed:
ctrl+j to Textual). `give_back_keys` restores the terminal's own modes right before Textual's driver starts,
because the driver saves the modes it finds and restores them when it leaves. The app replays keys read
while its frames are held to the dashboard once it has its rows.
"""

from __future__ import annotations

import asyncio
import os
import sys
import termios
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.services.records import JobSummary
    from tui.start_requests import StartRequests

TEXT = "appbuilder — starting…"
ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"  # alternate screen, cursor hidden, home, clear
LEAVE = "\x1b[?25h\x1b[?1049l"  # cursor shown, normal screen (and its saved cursor)


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Only on a real terminal Textual will draw on itself (not `textual serve`, a pipe or a dumb one)."""
    if os.name != "posix" or environ.get("TEXTUAL_DRIVER") or environ.get("TERM", "dumb") in ("", "dumb"):
        return False
    return sys.stdin.isatty() and sys.stdout.isatty()


def frame(columns: int, lines: int) -> str:
    """The splash for a terminal of this size: the text centred, dim, on the alternate screen."""
    text = TEXT if len(TEXT) <= columns else TEXT[: max(0, columns - 1)] + "…"
    row = max(1, (lines + 1) // 2)
    column = max(1, (columns - len(text)) // 2 + 1)
    return f"{ENTER}\x1b[{row};{column}H\x1b[2m{text}\x1b[0m"


def rows_frame(columns: int, lines: int, heading: str, jobs: Sequence[JobSummary], total: int,
               now: datetime) -> str:
    """The dashboard's first frame without Textual: title line, table header and rows (sorted as the
    dashboard sorts them), and the count line; no footer (its keys come with Textual)."""
    from rich.cells import set_cell_size

    from tui import job_rows
    from tui.services.job_index import JobIndex

    index = JobIndex()
    index.replace_all(jobs)
    ids = index.set_filter("")
    room = lines - 4  # the title line, the table's header, the count line and the footer
    available = columns - 2 if len(ids) > room else columns  # the table's scrollbar takes two columns
    widths = job_rows.column_widths(available)

    def line(texts: Sequence[str]) -> str:
        return set_cell_size("".join(job_rows.padded(texts, widths)), available)

    out = [ENTER, f"\x1b[1;2H\x1b[1m{job_rows.fit(heading, max(0, columns - 2))}\x1b[0m",
           f"\x1b[2;1H\x1b[1m{line(job_rows.header_labels(index.sort_column, index.sort_reverse))}\x1b[0m"]
    for y, job_id in enumerate(ids[:room], start=3):
        job = index.by_id[job_id]
        out.append(f"\x1b[{y};1H{line((*job_rows.job_cells(job), job_rows.ago(job.updated_at, now)))}")
    count = job_rows.count_text(len(ids), len(ids)) if len(ids) >= total else job_rows.loading_text(
        len(ids), len(ids), total)
    out.append(f"\x1b[{lines - 1};2H\x1b[2m{job_rows.fit(count, max(0, columns - 2))}\x1b[0m")
    return "".join(out)


class EarlySplash:
    """`paint()` it before importing Textual; `handed_over()` once Textual's driver owns the terminal;
    `withdraw()` in a `finally` (does nothing after the hand-over)."""

    def __init__(self) -> None:
        self.shown = False
        self.rows_shown = False  # the dashboard's rows replaced the splash (the app holds its frames)
        self.saved_modes: list[Any] | None = None  # the terminal's own modes (tcgetattr) while keys are held

    def paint(self) -> None:
        if not wanted():
            return
        try:
            size = os.get_terminal_size(sys.stdout.fileno())
            os.write(sys.stdout.fileno(), frame(size.columns, size.lines).encode())
        except OSError:
            return  # no size or not writable: Textual's own first frame will do
        self.shown = True
        self.hold_keys()

    def hold_keys(self) -> None:
        """No echo, no line editing, Enter as typed, until `give_back_keys` (signals still work)."""
        try:
            fd = sys.stdin.fileno()
            saved, modes = termios.tcgetattr(fd), termios.tcgetattr(fd)
            modes[0] &= ~termios.ICRNL  # input flags
            modes[3] &= ~(termios.ECHO | termios.ICANON)  # local flags
            modes[6][termios.VMIN], modes[6][termios.VTIME] = 1, 0
            termios.tcsetattr(fd, termios.TCSANOW, modes)  # now: what was typed stays to be read
        except (termios.error, OSError, ValueError):
            return
        self.saved_modes = saved

    def give_back_keys(self) -> None:
        """The terminal's own modes again: before Textual's driver starts, and if it never does."""
        saved, self.saved_modes = self.saved_modes, None
        if saved is not None:
            try:
                termios.tcsetattr(sys.stdin.fileno(), termios.TCSANOW, saved)
            except (termios.error, OSError, ValueError):
                pass

    def paint_rows(self, heading: str, jobs: Sequence[JobSummary], total: int) -> None:
        """The dashboard's rows over the splash (only while the splash is up, and for a list that has
        rows on a terminal with room for them)."""
        if not self.shown or not jobs:
            return
        try:
            size = os.get_terminal_size(sys.stdout.fileno())
            if size.lines < 5 or size.columns < 20:
                return
            data = rows_frame(size.columns, size.lines, heading, jobs, total, datetime.now(UTC)).encode()
            while data:  # a few kB: a terminal may take it in parts
                data = data[os.write(sys.stdout.fileno(), data):]
        except OSError:
            return
        self.rows_shown = True

    async def rows_when_ready(self, start: StartRequests, server_url: str) -> None:
        """`paint_rows` once the saved session is confirmed and the first page is in; cancelled (the
        requests themselves go on for the app) when Textual is about to take the terminal."""
        from tui import job_rows
        from tui.services.records import User

        try:
            user = await asyncio.shield(start.session)
            first_page = start.first_page
            if not isinstance(user, User) or first_page is None:
                return
            jobs, total = await asyncio.shield(first_page.task)
            self.paint_rows(job_rows.heading(user.username, server_url), jobs, total)
        except Exception:  # noqa: BLE001 - only a head start: the app reports every error on its own screens
            return

    def handed_over(self) -> None:
        self.shown = False

    def withdraw(self) -> None:
        self.give_back_keys()
        if self.shown:
            self.shown = False
            try:
                os.write(sys.stdout.fileno(), LEAVE.encode())
            except OSError:
                pass
