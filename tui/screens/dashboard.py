"""Dashboard: every job of the user; filter, sort, open, delete, purge (dev).

The jobs live in a `JobIndex` (by id, sorted, searchable) drawn by a virtual `JobsTable`; a `JobWatcher`
follows up to eight running builds over their sockets. Every `POLL_SECONDS` one small request asks for the
jobs changed since the newest one known (`updated_after`), which covers jobs created or changed elsewhere
and builds no socket follows; the whole list is loaded only at start, on `r`, and when the total says
jobs were deleted elsewhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable
from datetime import UTC, datetime
from time import monotonic
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from tui import job_rows
from tui.bulk import gc_paused
from tui.messages import NewProject, OpenApps, OpenJob, OpenProfile
from tui.printable import one_line
from tui.protocols import AppHost
from tui.services import AuthRequired, NotFound, ServerUnavailable, ServiceError
from tui.services.connection import ConnectionState
from tui.services.job_index import SORT_COLUMNS, JobIndex
from tui.services.records import JobSummary
from tui.widgets.connection import ConnectionIndicator, unreachable
from tui.widgets.feedback import report
from tui.widgets.jobs_table import JobsTable
from tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:  # the socket code (websockets, frame dialects) loads when the first build is followed
    from tui.first_page import FirstPage
    from tui.services import Event
    from tui.services.job_watcher import JobWatcher, Update
    from tui.services.socket import SocketClient

    Sockets = Callable[[SocketClient, int], AsyncIterable[Event]]  # (client, job id) -> events

__all__ = ["EMPTY", "NEWEST_PAGE", "DashboardScreen", "JobsTable"]

EMPTY = "No projects yet — press n to create one."
ENDED = ("done", "failed")
REFRESH_SECONDS = 10.0  # the "updated" column ages; a server that filters by updated_after is asked its total
POLL_SECONDS = 3.0  # how often jobs changed elsewhere (or by unfollowed builds) are asked for
NEWEST_PAGE = 20
PROGRESS_SECONDS = 0.1  # the loading count is repainted at most this often while the list loads
Clock = Callable[[], datetime]


def job_socket(client: SocketClient, job_id: int) -> AsyncIterable[Event]:
    from tui.services import JobSocket

    return JobSocket(client, job_id)


class FilterBox(Input):
    """The filter box: one line of fixed size, so a keystroke repaints it without a layout pass of the screen
    (Input sets its virtual size on every change; that reactive asks for a layout by default).

    `on_value` runs inside the keystroke's own step, not after the `Changed` message's trip to the screen:
    then the box, the rows and the status line reach the screen together and are painted in one frame.
    Through the message the box was painted alone first, and Textual's 60 fps update timer, resumed after
    that frame, put the rows 17-33 ms later."""

    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, *args: Any, on_value: Callable[[str], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_value = on_value

    def watch_value(self, value: str) -> None:
        if self.on_value is not None:
            self.on_value(value)


class DashboardScreen(Screen[None]):
    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = "#jobs"  # the default ("*") would focus the hidden filter before on_mount runs
    host = AppHost()
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

    def __init__(self, clock: Clock | None = None, sockets: Sockets | None = None,
                 first_page: FirstPage | None = None,
                 on_first_rows: Callable[[], None] | None = None) -> None:
        """`first_page`: the list's pages as the app started asking for them (start-up); `on_first_rows`
        is called as soon as that page's rows are in the table, before the frame that draws them."""
        super().__init__()
        self.first_page = first_page
        self.on_first_rows = on_first_rows
        self.fixed_clock = clock
        self.sockets = sockets or job_socket
        self.index = JobIndex()
        self._watcher: JobWatcher | None = None
        self.state = "loading"
        self.loaded = False
        self.total_known = True  # False once the server filters by updated_after (its count is not the total)
        self.since: datetime | None = None  # newest `updated_at` the server sent (events use our clock)
        self.first_shown: tuple[list[JobSummary], int] | None = None  # the start-up page on screen, its size
        self.progress_at = 0.0  # when the loading count may next be repainted
        self.progress_timer: Timer | None = None  # a count held back until then
        self.progress_held: str | None = None  # that count

    def clock(self) -> datetime:
        clock = self.fixed_clock or self.host.clock
        return clock() if clock is not None else datetime.now(UTC)

    # ----- what tests and other screens read ----------------------------------------------------------
    @property
    def jobs(self) -> list[JobSummary]:
        """Every job, in sort order."""
        return self.index.jobs()

    @property
    def sort_column(self) -> str:
        return self.index.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self.index.sort_reverse

    @property
    def watcher(self) -> JobWatcher:
        """Made when the first build is followed (after the rows' frame): its module and the events'
        dataclasses are ~15 ms of CPU at start-up that the first rows need not wait for."""
        if self._watcher is None:
            from tui.services.job_watcher import JobWatcher

            self._watcher = JobWatcher(lambda job_id: self.sockets(self.host.client, job_id))
            self.apply_updates()
        return self._watcher

    @property
    def watched(self) -> dict[int, JobSummary]:
        """The builds followed over sockets now."""
        if self._watcher is None:
            return {}
        return {job_id: self._watcher.latest[job_id] for job_id in self._watcher.watching
                if job_id in self._watcher.latest}

    def job_by_id(self, job_id: int) -> JobSummary | None:
        return self.index.get(job_id)

    @property
    def table(self) -> JobsTable:
        return self.query_one(JobsTable)

    # ----- layout -----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="dash-header"):
            yield Static("appbuilder · projects", id="dash-title")
            yield ConnectionIndicator(id="dash-connection")
        box = FilterBox(placeholder="filter: title, prompt, status, stage (enter keeps, escape clears)",
                        id="dash-filter", on_value=lambda _value: self.filter_changed())
        box.can_focus = False  # hidden until `/`: never takes keys meant for the list
        yield box
        yield JobsTable(self.clock, id="jobs")
        yield Static("Loading projects…", id="dash-state")
        yield KeyFooter()

    def on_mount(self) -> None:
        client = self.host.client
        user = self.host.user
        self.query_one("#dash-title", Static).update(
            Text(job_rows.heading(user.username if user else None, client.server_url)))
        self.set_interval(REFRESH_SECONDS, self.tick)
        self.set_interval(POLL_SECONDS, self.check_newest)
        self.table.focus()
        self.show_first_page()

    def show_first_page(self) -> None:
        """The page the app asked for at start-up, if it is here: in this screen's first frame (`load`
        reads the rest, if any)."""
        page = self.first_page.page() if self.first_page is not None else None
        if page is not None:
            jobs, total = page
            self.set_jobs(jobs)
            self.first_shown = (jobs, len(jobs))
            if len(jobs) < total:
                self.set_state("ready", self.progress(total))
            if self.on_first_rows is not None:
                self.on_first_rows()

    async def on_unmount(self) -> None:
        if self._watcher is not None:
            await self._watcher.aclose()
        if self.first_page is not None:
            await self.first_page.aclose()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "purge":
            return self.host.dev_mode
        return True

    # ----- loading ----------------------------------------------------------------------------------
    def on_screen_resume(self) -> None:
        if not self.is_current:  # popped on the way to a new dashboard (logged in as someone else)
            return
        box = self.query_one("#dash-filter", Input)
        if self.focused is None or (self.focused is box and not box.has_class("-visible")):
            self.table.focus()
        self.refresh_bindings()
        if self.loaded:
            self.newest(check_total=True)
        else:
            self.load()

    def jobs_changed(self) -> None:
        """Some screen changed jobs: catch up now if shown (else the resume will)."""
        if not self.is_current:
            return
        if self.loaded:
            self.newest(check_total=True)
        else:
            self.load()

    def tick(self) -> None:
        """Every 10 s: age the 'updated' column; a server that filters by updated_after is asked its total
        (deletions elsewhere)."""
        if self.on_top:
            self.table.refresh()
            if self.loaded and not self.total_known and not self.is_loading:
                self.newest(check_total=True)

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
    async def newest(self, check_total: bool = False) -> None:
        """Jobs created or changed elsewhere (the CLI, the web app, another terminal, builds no socket
        follows): one request for the jobs changed since the newest one known. A server that ignores
        `updated_after` answers the newest page and the total: a total that differs means deletions,
        so reload. A server that honours it is asked its total only when `check_total`."""
        client = self.host.client
        since = self.since
        try:
            page = await client.list_job_summaries(limit=NEWEST_PAGE, updated_after=since)
            filtered = since is not None and all(job.updated_at > since for job in page.results)
            more: list[JobSummary] = []  # more than a page changed: the rest
            if filtered and since is not None and len(page.results) == NEWEST_PAGE:
                more = await client.changed_jobs(since, limit=200)
            total = page.count
            if filtered:
                self.total_known = False
                total = (await client.list_job_summaries(limit=1)).count if check_total else None
        except ServiceError:
            return  # the next check tries again; errors show on reload
        if self.is_loading:
            return
        self.merge([*page.results, *more])
        if total is not None and total != len(self.index):
            self.load()

    def merge(self, jobs: Iterable[JobSummary]) -> None:
        """Fold fresher rows into the index: new ones appear where the sort puts them."""
        added = changed = False
        jobs = list(jobs)
        self.heard(jobs)
        for job in jobs:
            known = self.index.get(job.id)
            if known is not None and known.updated_at == job.updated_at:
                continue
            changed = True
            added |= self.index.upsert(job)
            self.watcher.refresh(job)
            if known is not None:
                self.ended(known, job)
                self.table.job_changed(job.id)
        if added:
            self.fill()
        if changed:
            self.watcher.follow(self.index.by_id.values())

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        if not self.loaded and self.first_shown is None:
            self.set_state("loading", "Loading projects…")
        client = self.host.client
        pages = self.first_page.pages() if self.first_page is not None else client.job_summary_pages()
        self.first_page = None
        try:
            async for jobs, total in pages:
                self.index.prepare(jobs)  # the rows' search texts while the next page is on the wire
                if len(jobs) < total and not self.loaded:  # first load: the newest page now, then the rest
                    if not len(self.index):
                        self.set_jobs(jobs)
                    self.show_progress(self.progress(total, len(jobs)))
        except AuthRequired as err:  # the app shows login on top (deduplicated if the client did too)
            report(self, err)
            return
        except ServerUnavailable as err:
            self.host.show_connection(ConnectionState.OFFLINE)
            self.set_state("error", f"{unreachable(client.server_url, err)} — press r to retry.")
            return
        except ServiceError as err:
            self.set_state("error", f"Could not load the projects: {err.message} — press r to retry.")
            return
        finally:
            self.stop_progress()  # a count held back must not cover what the load ends with
        self.host.show_connection(ConnectionState.LIVE)
        self.loaded = True
        shown, self.first_shown = self.first_shown, None
        if shown is None or jobs is not shown[0] or len(jobs) != shown[1]:  # else on screen already
            self.set_jobs(jobs)
        else:
            self.follow_builds()

    def show_progress(self, text: str) -> None:
        """The loading count, repainted at most every PROGRESS_SECONDS (a frame per page was 10 frames at
        10k, 50 at 50k); a count held back is shown when its time comes, so it never lags a slow page."""
        self.stop_progress()
        wait = self.progress_at - monotonic()
        if wait <= 0:
            self.set_state("ready", text)
            self.progress_at = monotonic() + PROGRESS_SECONDS
        else:
            self.progress_held = text
            self.progress_timer = self.set_timer(wait, self.progress_due)

    def progress_due(self) -> None:
        """The held-back count's time has come: shown unless `stop_progress` came since. Textual queues a
        timer's callback when it fires, so stopping the timer can come too late to stop the call: the load's
        end was then overwritten by a stale "loading …" line, for good."""
        text, self.progress_held = self.progress_held, None
        self.progress_timer = None
        if text is not None:
            self.show_progress(text)

    def stop_progress(self) -> None:
        self.progress_held = None
        if self.progress_timer is not None:
            self.progress_timer.stop()
            self.progress_timer = None

    def progress(self, total: int, loaded: int | None = None) -> str:
        loaded = len(self.index) if loaded is None else loaded
        return job_rows.loading_text(len(self.index), loaded, total)

    def heard(self, jobs: list[JobSummary]) -> None:
        newest = max((job.updated_at for job in jobs), default=None)
        if newest is not None and (self.since is None or newest > self.since):
            self.since = newest

    def set_jobs(self, jobs: list[JobSummary]) -> None:
        self.heard(jobs)
        with gc_paused():
            self.index.replace_all(jobs)
        self.fill()
        if self.loaded:  # builds are followed once the list is in (their sockets and first message fetches
            self.call_after_refresh(self.follow_builds)  # would slow the server's pages), after its frame

    def follow_builds(self) -> None:
        """Follow the newest running builds: after the frame that shows the rows, as the first follow imports
        the socket code and opens up to eight sockets (~15 ms of CPU) that would delay that frame."""
        self.watcher.follow(self.index.by_id.values())

    # ----- live status over job sockets -------------------------------------------------------------
    @work(group="watch")
    async def apply_updates(self) -> None:
        """Fold the watcher's updates into the index and the table, one row at a time."""
        async for update in self.watcher.updates():
            self.apply(update)

    def apply(self, update: Update) -> None:
        from tui.services.job_watcher import JobChanged, JobRemoved, SocketFallback

        if isinstance(update, JobRemoved):
            if self.index.remove(update.job_id):
                self.fill()
        elif isinstance(update, SocketFallback):
            self.query_one(ConnectionIndicator).show_fallback(update.text)
        elif isinstance(update, JobChanged) and update.job.id in self.index:
            self.index.upsert(update.job)
            self.ended(update.previous, update.job)
            self.table.job_changed(update.job.id)
            if self.index.needle and update.job.id not in self.index.shown_set:
                self.fill()

    def ended(self, before: JobSummary, after: JobSummary) -> None:
        """A build ended: the app alerts if the user watched or started it and is not looking at it."""
        if after.status in ENDED and before.status not in ENDED:
            self.host.build_ended(after.id, after.status)

    # ----- rendering --------------------------------------------------------------------------------
    @property
    def needle(self) -> str:
        return self.query_one("#dash-filter", Input).value.strip().lower()

    def fill(self) -> None:
        """Show the filter's rows (the table draws only those on screen) and say how many."""
        shown = self.index.set_filter(self.needle)
        self.table.show(shown, self.index.by_id)
        self.table.set_class(not shown, "-empty")
        if not len(self.index):
            self.set_state("empty", EMPTY)
        elif not shown:
            self.set_state("empty", f"No project matches '{self.needle}' — escape clears the filter.")
        else:
            needle = f" · filter '{self.needle}'" if self.needle else ""
            self.set_state("ready", job_rows.count_text(len(shown), len(self.index)) + needle)

    def set_state(self, state: str, text: str) -> None:
        """Same state, one line (a filter keystroke): the label is only repainted, no layout pass."""
        label = self.query_one("#dash-state", Static)
        same_shape = state == self.state and len(text) < label.content_size.width
        self.state = state
        label.update(Text(one_line(text)), layout=not same_shape)  # may quote the server's error
        if not same_shape:
            label.set_classes(f"-{state}")

    def selected_id(self) -> int | None:
        return self.table.selected_id

    # ----- filter and sort --------------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#dash-filter", Input)
        box.can_focus = True
        box.add_class("-visible")
        box.focus()

    def filter_changed(self) -> None:
        """Called by the box in the keystroke's step (see FilterBox), the only caller: the box's `Changed`
        message, which follows, would find the rows already filtered, so nothing listens to it."""
        if self.needle != self.index.needle:
            self.fill()

    @on(Input.Submitted, "#dash-filter")
    def filter_done(self) -> None:
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#dash-filter", Input)
        if box.value:
            box.value = ""  # filters at once (FilterBox.on_value), not after the Changed message
        box.remove_class("-visible")
        box.can_focus = False  # hidden: never takes keys meant for the list
        self.table.focus()

    def action_sort(self) -> None:
        index = SORT_COLUMNS.index(self.sort_column)
        self.set_sort(SORT_COLUMNS[(index + 1) % len(SORT_COLUMNS)])

    def action_reverse(self) -> None:
        self.set_sort(self.sort_column, not self.sort_reverse)

    @on(JobsTable.HeaderSelected, "#jobs")
    def header_selected(self, event: JobsTable.HeaderSelected) -> None:
        column = event.column
        self.set_sort(column, not self.sort_reverse if column == self.sort_column else None)

    def set_sort(self, column: str, reverse: bool | None = None) -> None:
        reverse = reverse if reverse is not None else column in ("updated", "id")
        self.index.set_sort(column, reverse)
        self.table.set_sort(column, reverse)
        self.fill()

    # ----- actions ----------------------------------------------------------------------------------
    @on(JobsTable.RowSelected, "#jobs")
    def row_selected(self, event: JobsTable.RowSelected) -> None:
        self.post_message(OpenJob(event.job_id))

    def action_open(self) -> None:
        job_id = self.selected_id()
        if job_id is None:
            self.notify(EMPTY if not len(self.index) else "No project is selected.", severity="warning")
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
        job = self.index.get(job_id)
        name = f"#{job_id} “{job.title}”" if job and job.title else f"#{job_id}"
        question = f"Delete project {name}? Its messages and generated app go too."
        from tui.screens.confirm import ConfirmScreen

        if not await self.app.push_screen_wait(ConfirmScreen(question, title="Delete project")):
            return
        try:
            await self.host.client.delete_job(job_id)
        except NotFound:
            self.notify(f"Project #{job_id} was already deleted.", severity="warning")
        except ServiceError as err:
            report(self, err)
            return
        else:
            self.notify(f"Deleted project #{job_id}.")
        if self._watcher is not None:
            self._watcher.stop(job_id)
        self.index.remove(job_id)
        self.fill()

    def action_purge(self) -> None:
        refused = self.host.purge_refused()
        if not self.host.dev_mode:
            refused = "Purge is only available in dev mode (--dev)."
        if refused:  # at once, before asking to type anything
            self.notify(refused, severity="warning")
            return
        self.purge()

    @work(exclusive=True, group="purge")
    async def purge(self) -> None:
        client = self.host.client
        question = f"Delete ALL your projects on {client.server_url} ({len(self.index)} loaded)? No undo."
        from tui.screens.confirm import TypedConfirmScreen

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

