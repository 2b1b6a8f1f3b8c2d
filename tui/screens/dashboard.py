"""Dashboard: every job of the user; filter, sort, open, delete, purge (dev).

Running builds stay current over their job sockets (up to `MAX_WATCHED` at once); a slow reload every
`REFRESH_SECONDS` covers only builds no socket is following.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, Callable, Iterable, Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import Row, RowKey
from textual.worker import Worker, get_current_worker

from tui.bulk import gc_paused
from tui.messages import AuthLost, NewProject, OpenApps, OpenJob, OpenProfile
from tui.screens.confirm import ConfirmScreen, TypedConfirmScreen
from tui.services import (
    ApiFallbackEvent,
    AuthRequired,
    Event,
    Job,
    JobGoneEvent,
    NotFound,
    ServerUnavailable,
    ServiceError,
    apply_event,
    settled,
)
from tui.widgets.connection import ConnectionIndicator, unreachable
from tui.widgets.feedback import report
from tui.widgets.key_footer import KeyFooter
from tui.widgets.nav_table import ListTable

EMPTY = "No projects yet — press n to create one."
ACTIVE = ("prd", "building")
REFRESH_SECONDS = 10.0
NEWEST_SECONDS = 3.0  # how often the newest page is checked for jobs created or changed elsewhere
NEWEST_PAGE = 20
MAX_WATCHED = 8
FILTER_DELAY = 0.06
SLOW_FILL = 0.03  # seconds: a rebuild slower than this makes the filter wait for a pause in typing
STATUS_STYLES = {"collecting": "cyan", "prd": "magenta", "building": "yellow", "done": "green",
                 "failed": "bold red"}
# column key, label, fixed width (None: takes the rest)
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("id", "#", 6), ("title", "title", None), ("status", "status", 11), ("stage", "stage", 17),
    ("updated", "updated", 9),
)
SORT_ORDER = ("updated", "title", "status", "stage", "id")
Clock = Callable[[], datetime]
Watch = Callable[[object, int], AsyncIterable[Event]]  # (client, job_id) -> events; closed by the screen


def job_socket(client: object, job_id: int) -> AsyncIterable[Event]:
    from tui.services import JobSocket

    return JobSocket(client, job_id)  # type: ignore[arg-type]


def ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now" if seconds < 10 else f"{seconds}s ago"


def stage_text(job: Job) -> str:
    if not job.current_stage:
        return "-"
    stage = next((s for s in job.stages if s.name == job.current_stage), None)
    if stage is None or job.status in ("done", "failed") or stage.progress in (0, 100):
        return job.current_stage
    return f"{job.current_stage} {stage.progress}%"


def sort_value(job: Job, column: str) -> object:
    if column == "updated":
        return job.updated_at
    if column == "title":
        return (job.title or job.initial_prompt).lower()
    if column == "status":
        return job.status
    if column == "stage":
        return job.current_stage or ""
    return job.id


class JobsTable(ListTable):
    """A DataTable that skips measuring every cell when all columns have fixed widths (fast at 10k rows)."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        if any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        try:
            width = sum(column.get_render_width(self) for column in self.columns.values())
            header = self.header_height if self.show_header else 0
            self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header)
        except AttributeError:  # private API moved in a newer Textual: measure like upstream does
            super()._update_dimensions(new_rows)

    def replace_rows(self, rows: Sequence[tuple[str, Sequence[object]]]) -> None:
        """clear() + add_row() for each (key, cells), without add_row's per-row cursor bookkeeping."""
        self.clear()
        try:
            keys = [column.key for column in self.ordered_columns]
            locations, data, table_rows, new_rows = self._row_locations, self._data, self.rows, self._new_rows
            for index, (key, cells) in enumerate(rows):
                row_key = RowKey(key)
                locations[row_key] = index
                data[row_key] = dict(zip(keys, cells, strict=False))
                table_rows[row_key] = Row(row_key, 1)
                new_rows.add(row_key)
            self._require_update_dimensions = True
            self._update_count += 1
        except AttributeError:  # private API moved: the slow public way
            self.clear()
            for key, cells in rows:
                self.add_row(*cells, key=key)
            return
        self.cursor_coordinate = self.cursor_coordinate
        if rows and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.check_idle()


class DashboardScreen(Screen[None]):
    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = "#jobs"  # the default ("*") would focus the hidden filter before on_mount runs
    BINDINGS = [
        Binding("n", "new_project", "New"),
        Binding("enter", "open", "Open"),
        Binding("d", "delete", "Delete"),
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse", "Reverse sort", show=False),
        Binding("r", "reload", "Refresh"),
        Binding("a", "apps", "Apps"),
        Binding("p", "profile", "Profile"),
        Binding("P", "purge", "Purge all"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self, clock: Clock | None = None, watch: Watch | None = None) -> None:
        super().__init__()
        self.fixed_clock = clock
        self.watch = watch or job_socket
        self.watched: dict[int, Worker[None]] = {}
        self.jobs: list[Job] = []
        self.cells: dict[int, tuple[Text | str, ...]] = {}
        self.haystack: dict[int, str] = {}
        self.sort_column = "updated"
        self.sort_reverse = True
        self.state = "loading"
        self.loaded = False
        self.filter_timer: Timer | None = None
        self.ticks = 0
        self.fill_seconds = 0.0
        self.row_order: list[int] = []

    def clock(self) -> datetime:
        clock = self.fixed_clock or getattr(self.app, "clock", None)
        return clock() if clock is not None else datetime.now(UTC)

    # ----- layout -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="dash-header"):
            yield Static("appbuilder · projects", id="dash-title")
            yield ConnectionIndicator(id="dash-connection")
        box = Input(placeholder="filter: title, prompt, status, stage (enter keeps, escape clears)",
                    id="dash-filter")
        box.can_focus = False  # hidden until `/`: never takes keys meant for the list
        yield box
        yield JobsTable(id="jobs", cursor_type="row", zebra_stripes=True)
        yield Static("Loading projects…", id="dash-state")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width or self.title_width())
        self.update_headers()
        client = self.app.client  # type: ignore[attr-defined]
        user = getattr(self.app, "user", None)
        who = f"{user.username} @ {client.server_url}" if user else client.server_url
        self.query_one("#dash-title", Static).update(Text(f"appbuilder · projects · {who}"))
        self.set_interval(REFRESH_SECONDS, self.tick)
        self.set_interval(NEWEST_SECONDS, self.check_newest)
        table.focus()

    def title_width(self) -> int:
        fixed = sum(width or 0 for _, _, width in COLUMNS) + 2 * len(COLUMNS) + 2
        return max(16, self.app.size.width - fixed)

    def on_resize(self) -> None:
        table = self.query_one(DataTable)
        for key, column in table.columns.items():
            if key.value == "title":
                column.width = self.title_width()
        clear_caches = getattr(table, "_clear_caches", None)
        if clear_caches is not None:
            clear_caches()
        table.refresh(layout=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "purge":
            return bool(getattr(self.app, "dev_mode", False))
        return True

    # ----- loading ----------------------------------------------------------------------------------
    def on_screen_resume(self) -> None:
        if not self.is_current:  # popped on the way to a new dashboard (logged in as someone else)
            return
        box = self.query_one("#dash-filter", Input)
        if self.focused is None or (self.focused is box and not box.has_class("-visible")):
            self.query_one(JobsTable).focus()
        self.refresh_bindings()
        self.load()

    def jobs_changed(self) -> None:
        """Some screen changed jobs: reload now if shown (else the resume will)."""
        if self.is_current:
            self.load()

    def tick(self) -> None:
        """Every 10 s: reload if a build runs that no socket follows; else age the 'updated' column."""
        if not self.is_current:
            return
        self.ticks += 1
        if self.is_loading:  # a long first load (50k jobs) must finish, not be restarted every tick
            return
        if any(job.status in ACTIVE and job.id not in self.watched for job in self.jobs):
            self.load()
        elif self.ticks % 6 == 0 and self.jobs:
            self.set_jobs(self.jobs)

    @property
    def on_top(self) -> bool:
        """Shown on top (`is_current` is also true under a screen pushed on top, e.g. a Live build)."""
        return self.app.screen is self

    def check_newest(self) -> None:
        if self.on_top and self.loaded and not self.is_loading:
            self.newest()

    @property
    def is_loading(self) -> bool:
        return any(w.group == "load" and not w.is_finished for w in self.workers)

    @work(exclusive=True, group="newest")
    async def newest(self) -> None:
        """Jobs created or changed elsewhere (the CLI, the web app, another terminal): one request for the
        newest page (the server orders by last update), never the whole list. New ids are added; a job
        changed since it was loaded is redrawn; a total that still differs means deletions: reload."""
        client = self.app.client  # type: ignore[attr-defined]
        try:
            page = await client.list_jobs_page(limit=NEWEST_PAGE)
        except ServiceError:
            return  # the next check, or the slow reload, tries again; errors show on reload
        if not self.on_top or self.is_loading:
            return
        known = {job.id: job for job in self.jobs}
        fresh = [job for job in page.results if job.id not in known]
        changed = [job for job in page.results
                   if job.id in known and job.updated_at != known[job.id].updated_at]
        if fresh:
            self.set_jobs(fresh + self.jobs)
        for job in changed:
            self.update_job(job)
        if fresh or changed:
            self.follow_active()
        if page.count != len(self.jobs):
            self.load()

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        if not self.loaded:
            self.set_state("loading", "Loading projects…")
        client = self.app.client  # type: ignore[attr-defined]
        try:
            async for jobs, total in client.job_pages():
                if len(jobs) < total and not self.loaded:  # first load: the newest page now, then the rest
                    if not self.jobs:
                        self.set_jobs(list(jobs))
                    progress = f"{len(self.jobs)} shown · loading {len(jobs):,} of {total:,} projects…"
                    self.set_state("ready", progress)
        except AuthRequired as err:  # the app shows login on top (deduplicated if the client did too)
            self.post_message(AuthLost(err.message))
            return
        except ServerUnavailable as err:
            self.app.connection_state = "offline"  # type: ignore[attr-defined]
            self.set_state("error", f"{unreachable(client.server_url, err)} — press r to retry.")
            return
        except ServiceError as err:
            self.set_state("error", f"Could not load the projects: {err.message} — press r to retry.")
            return
        self.app.connection_state = "live"  # type: ignore[attr-defined]
        self.loaded = True
        self.set_jobs(jobs)
        self.follow_active()

    # ----- live status over job sockets -------------------------------------------------------------
    def follow_active(self) -> None:
        """Follow the newest running builds over their sockets; stop following the rest."""
        active = sorted((job for job in self.jobs if job.status in ACTIVE), key=lambda j: j.updated_at,
                        reverse=True)[:MAX_WATCHED]
        wanted = {job.id for job in active}
        for job_id in list(self.watched):
            if job_id not in wanted:
                self.watched.pop(job_id).cancel()
        for job_id in wanted - set(self.watched):
            self.watched[job_id] = self.follow(job_id)

    @work(group="watch")
    async def follow(self, job_id: int) -> None:
        events = self.watch(self.app.client, job_id)  # type: ignore[attr-defined]
        try:
            async for event in events:
                if isinstance(event, JobGoneEvent):
                    self.drop_job(job_id)
                    return
                if isinstance(event, ApiFallbackEvent):
                    self.query_one(ConnectionIndicator).show_fallback(event.text)
                job = self.job_by_id(job_id)
                changed = apply_event(job, event) if job is not None else None
                if changed is not None:
                    self.update_job(changed)
                    if settled(changed):
                        return
        except ServiceError:
            pass  # the slow reload in tick() takes over for this job
        finally:
            if self.watched.get(job_id) is get_current_worker():
                del self.watched[job_id]
            close = getattr(events, "close", None)
            if close is not None:
                await close()

    def job_by_id(self, job_id: int) -> Job | None:
        return next((job for job in self.jobs if job.id == job_id), None)

    def update_job(self, job: Job) -> None:
        """Replace one job and redraw its row in place (no refetch, no full rebuild)."""
        self.jobs = [job if j.id == job.id else j for j in self.jobs]
        cells = self.render_cells(job, self.clock())
        self.cells[job.id] = cells
        self.haystack[job.id] = self.search_text(job)
        table = self.query_one(JobsTable)
        if str(job.id) not in table.rows:
            return
        for (key, _, _), value in zip(COLUMNS, cells, strict=True):
            table.update_cell(str(job.id), key, value)

    def drop_job(self, job_id: int) -> None:
        self.watched.pop(job_id, None)
        if self.job_by_id(job_id) is not None:
            self.jobs = [j for j in self.jobs if j.id != job_id]
            self.fill()

    def set_jobs(self, jobs: list[Job]) -> None:
        now = self.clock()
        with gc_paused():
            self.jobs = jobs
            self.cells = {job.id: self.render_cells(job, now) for job in jobs}
            self.haystack = {job.id: self.search_text(job) for job in jobs}
            self.sort_jobs()
            self.fill()

    @staticmethod
    def search_text(job: Job) -> str:
        text = f"#{job.id} {job.title} {job.initial_prompt[:300]} {job.status} {job.current_stage or ''}"
        return text.lower()

    def render_cells(self, job: Job, now: datetime) -> tuple[Text | str, ...]:
        title = (job.title or job.initial_prompt).splitlines()[0] if (job.title or job.initial_prompt) else ""
        return (f"#{job.id}", Text(title, no_wrap=True, overflow="ellipsis"),
                Text(job.status, style=STATUS_STYLES.get(job.status, "")), stage_text(job),
                ago(job.updated_at, now))

    def sort_jobs(self) -> None:
        self.jobs.sort(key=lambda job: sort_value(job, self.sort_column), reverse=self.sort_reverse)

    # ----- rendering --------------------------------------------------------------------------------
    @property
    def needle(self) -> str:
        return self.query_one("#dash-filter", Input).value.strip().lower()

    def shown_jobs(self) -> list[Job]:
        needle = self.needle
        if not needle:
            return self.jobs
        return [job for job in self.jobs if needle in self.haystack[job.id]]

    def fill(self, same_cells: bool = False) -> None:
        """Rebuild the rows from the cached cells (no re-rendering per job), keeping the cursor's job.

        `same_cells`: only the filter changed, so rows already shown in the same order are left alone."""
        table = self.query_one(JobsTable)
        selected = self.selected_id()
        shown = self.shown_jobs()
        cells = self.cells
        started = time.perf_counter()
        order = [job.id for job in shown]
        if not same_cells or order != self.row_order or table.row_count != len(order):
            with gc_paused():
                table.replace_rows([(str(job.id), cells[job.id]) for job in shown])
            self.row_order = order
        self.fill_seconds = time.perf_counter() - started
        if selected is not None:
            index = next((i for i, job in enumerate(shown) if job.id == selected), None)
            if index is not None:
                table.move_cursor(row=index, animate=False)
        table.set_class(not shown, "-empty")
        if not self.jobs:
            self.set_state("empty", EMPTY)
        elif not shown:
            self.set_state("empty", f"No project matches '{self.needle}' — escape clears the filter.")
        else:
            needle = f" · filter '{self.needle}'" if self.needle else ""
            self.set_state("ready", f"{len(shown)} of {len(self.jobs)} projects{needle}")

    def set_state(self, state: str, text: str) -> None:
        self.state = state
        label = self.query_one("#dash-state", Static)
        label.update(Text(text))
        label.set_classes(f"-{state}")

    def update_headers(self) -> None:
        table = self.query_one(DataTable)
        arrow = " ▼" if self.sort_reverse else " ▲"
        labels = {key: label for key, label, _ in COLUMNS}
        for key, column in table.columns.items():
            name = str(key.value)
            column.label = Text(labels[name] + (arrow if name == self.sort_column else ""))
        table.refresh()

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    # ----- filter and sort --------------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#dash-filter", Input)
        box.can_focus = True
        box.add_class("-visible")
        box.focus()

    @on(Input.Changed, "#dash-filter")
    def filter_changed(self) -> None:
        if self.filter_timer is not None:
            self.filter_timer.stop()
            self.filter_timer = None
        if self.fill_seconds < SLOW_FILL:
            self.fill(same_cells=True)
        else:  # the last rebuild was slow: coalesce fast typing
            self.filter_timer = self.set_timer(FILTER_DELAY, lambda: self.fill(same_cells=True))

    @on(Input.Submitted, "#dash-filter")
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#dash-filter", Input)
        if box.value:
            box.value = ""
        box.remove_class("-visible")
        box.can_focus = False  # hidden: never takes keys meant for the list
        self.query_one(JobsTable).focus()

    def action_sort(self) -> None:
        index = SORT_ORDER.index(self.sort_column)
        self.set_sort(SORT_ORDER[(index + 1) % len(SORT_ORDER)])

    def action_reverse(self) -> None:
        self.set_sort(self.sort_column, not self.sort_reverse)

    @on(DataTable.HeaderSelected, "#jobs")
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        self.set_sort(column, not self.sort_reverse if column == self.sort_column else None)

    def set_sort(self, column: str, reverse: bool | None = None) -> None:
        self.sort_column = column
        self.sort_reverse = reverse if reverse is not None else column in ("updated", "id")
        self.sort_jobs()
        self.update_headers()
        self.fill()

    # ----- actions ----------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#jobs")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(OpenJob(int(event.row_key.value)))

    def action_open(self) -> None:
        job_id = self.selected_id()
        if job_id is None:
            self.notify(EMPTY if not self.jobs else "No project is selected.", severity="warning")
            return
        self.post_message(OpenJob(job_id))

    def action_new_project(self) -> None:
        self.post_message(NewProject())

    def action_apps(self) -> None:
        self.post_message(OpenApps())

    def action_profile(self) -> None:
        self.post_message(OpenProfile())

    def action_reload(self) -> None:
        self.load()

    def action_delete(self) -> None:
        job_id = self.selected_id()
        if job_id is None:
            self.notify("No project is selected.", severity="warning")
            return
        self.delete(job_id)

    @work(exclusive=True, group="delete")
    async def delete(self, job_id: int) -> None:
        job = next((j for j in self.jobs if j.id == job_id), None)
        name = f"#{job_id} “{job.title}”" if job and job.title else f"#{job_id}"
        question = f"Delete project {name}? Its messages and generated app go too."
        if not await self.app.push_screen_wait(ConfirmScreen(question, title="Delete project")):
            return
        try:
            await self.app.client.delete_job(job_id)  # type: ignore[attr-defined]
        except NotFound:
            self.notify(f"Project #{job_id} was already deleted.", severity="warning")
        except ServiceError as err:
            report(self, err)
            return
        else:
            self.notify(f"Deleted project #{job_id}.")
        self.jobs = [j for j in self.jobs if j.id != job_id]
        self.fill()

    def action_purge(self) -> None:
        refused = getattr(self.app, "purge_refused", lambda: None)()
        if not getattr(self.app, "dev_mode", False):
            refused = "Purge is only available in dev mode (--dev)."
        if refused:  # at once, before asking to type anything
            self.notify(refused, severity="warning")
            return
        self.purge()

    @work(exclusive=True, group="purge")
    async def purge(self) -> None:
        client = self.app.client  # type: ignore[attr-defined]
        question = f"Delete ALL your projects on {client.server_url} ({len(self.jobs)} loaded)? No undo."
        if not await self.app.push_screen_wait(TypedConfirmScreen(question, "purge", title="Purge all jobs")):
            return
        try:
            count = await client.purge_jobs()
        except ServiceError as err:
            report(self, err)
            return
        self.notify(f"Purged {count} job{'s' if count != 1 else ''}.", title="Purge")
        self.set_jobs([])
        self.load()
