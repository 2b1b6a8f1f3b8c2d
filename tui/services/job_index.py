"""The dashboard's jobs in memory: by id, in sort order, with a lowercase search text each, and filter
results cached per needle, so a socket event, a keystroke or a sort costs what it changes, not the list.

Textual-free. A job updated in place keeps its row (no re-sort under the user's cursor: the next sort or
reload places it); a new job goes where the current sort puts it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tui.services.records import JobSummary

SORT_COLUMNS = ("updated", "title", "status", "stage", "id")
CACHED_NEEDLES = 64  # filter results kept for widening (backspace) and retyping


SortKey = Callable[[JobSummary], Any]  # any comparable: datetime, str or int


def sort_key(column: str) -> SortKey:
    if column == "updated":
        return lambda job: job.updated_at
    if column == "title":
        return lambda job: (job.title or job.initial_prompt).lower()
    if column == "status":
        return lambda job: job.status
    if column == "stage":
        return lambda job: job.current_stage or ""
    return lambda job: job.id


def search_text(job: JobSummary) -> str:
    return f"#{job.id} {job.title} {job.initial_prompt} {job.status} {job.current_stage or ''}".lower()


class JobIndex:
    """Jobs by id, their sorted order, and the rows a filter leaves (see the module docstring)."""

    def __init__(self) -> None:
        self.by_id: dict[int, JobSummary] = {}
        self.haystack: dict[int, str] = {}
        self.order: list[int] = []  # every id, in sort order
        self.sort_column = "updated"
        self.sort_reverse = True
        self.needle = ""
        self.shown: list[int] = []  # ids the filter leaves, in sort order
        self.results: dict[str, list[int]] = {}  # needle -> shown ids, while nothing changes
        self._preparing: list[JobSummary] | None = None  # the list `prepare` was last given
        self._prepared: dict[int, tuple[JobSummary, str]] = {}  # its rows' search texts so far

    def __len__(self) -> int:
        return len(self.by_id)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self.by_id

    def get(self, job_id: int) -> JobSummary | None:
        return self.by_id.get(job_id)

    def jobs(self) -> list[JobSummary]:
        """Every job in sort order."""
        return [self.by_id[job_id] for job_id in self.order]

    # ----- changing the jobs --------------------------------------------------------------------------
    def prepare(self, jobs: list[JobSummary]) -> None:
        """Work `replace_all(jobs)` can skip, done ahead: while a long list loads, call it with the list
        so far after each page (the time the next page is on the wire); only rows added since the last
        call with the same list are read. A prepared search text is used only for that very object."""
        if jobs is not self._preparing:
            self._preparing, self._prepared = jobs, {}
        prepared = self._prepared
        for job in jobs[len(prepared):]:
            prepared[job.id] = (job, search_text(job))

    def replace_all(self, jobs: Iterable[JobSummary]) -> None:
        self.by_id = {job.id: job for job in jobs}
        prepared, self._preparing, self._prepared = self._prepared, None, {}
        haystack: dict[int, str] = {}
        for job_id, job in self.by_id.items():
            ready = prepared.get(job_id)
            haystack[job_id] = ready[1] if ready is not None and ready[0] is job else search_text(job)
        self.haystack = haystack
        self.resort()

    def upsert(self, job: JobSummary) -> bool:
        """Add or replace one job; True if it is new. O(1) for a replacement, O(log n) + a shift for a new
        job; the filter result gains or loses just that row."""
        known = job.id in self.by_id
        self.by_id[job.id] = job
        self.haystack[job.id] = search_text(job)
        self.results.clear()
        if known:
            if self.needle and self.matches(job.id) != (job.id in self.shown_set):
                self.refilter()  # the change moved it in or out of the filter: rare, one scan
            return False
        self.order.insert(self.position(job, self.order), job.id)
        if self.needle and self.matches(job.id):  # without a needle `shown` is `order` itself
            self.shown.insert(self.position(job, self.shown), job.id)
        self._shown_set = None
        return True

    def remove(self, job_id: int) -> bool:
        if self.by_id.pop(job_id, None) is None:
            return False
        self.haystack.pop(job_id, None)
        self.order.remove(job_id)
        if self.needle and job_id in self.shown_set:
            self.shown.remove(job_id)
        self._shown_set = None
        self.results.clear()
        return True

    def position(self, job: JobSummary, ids: Sequence[int]) -> int:
        """Where `job` goes in `ids` (sorted by the current column) by bisection: after its equals."""
        key, by_id, reverse = sort_key(self.sort_column), self.by_id, self.sort_reverse
        mine = key(job)
        low, high = 0, len(ids)
        while low < high:
            middle = (low + high) // 2
            theirs = key(by_id[ids[middle]])
            if (mine < theirs) if not reverse else (mine > theirs):
                high = middle
            else:
                low = middle + 1
        return low

    # ----- sort and filter ----------------------------------------------------------------------------
    def set_sort(self, column: str, reverse: bool) -> None:
        self.sort_column, self.sort_reverse = column, reverse
        self.resort()

    def resort(self) -> None:
        key = sort_key(self.sort_column)
        by_id = self.by_id
        self.order = sorted(by_id, key=lambda job_id: key(by_id[job_id]), reverse=self.sort_reverse)
        self.results.clear()
        self.refilter()

    def set_filter(self, needle: str) -> list[int]:
        """The ids that contain `needle` (lowercase), in sort order. Narrowing scans only the current
        result; widening and retyping reuse a cached result; no needle is the whole order, no scan."""
        previous, self.needle = self.needle, needle
        if not needle:
            self.shown = self.order
        elif needle in self.results:
            self.shown = self.results[needle]
        else:
            base = self.shown if previous and needle.startswith(previous) else self.order
            haystack = self.haystack
            self.shown = [job_id for job_id in base if needle in haystack[job_id]]
        self._shown_set = None
        if needle:
            if len(self.results) >= CACHED_NEEDLES:
                self.results.clear()
            self.results[needle] = self.shown
        return self.shown

    def refilter(self) -> None:
        needle, self.needle = self.needle, ""
        self.set_filter(needle)

    def matches(self, job_id: int) -> bool:
        return not self.needle or self.needle in self.haystack[job_id]

    _shown_set: set[int] | None = None

    @property
    def shown_set(self) -> set[int]:
        if self._shown_set is None:
            self._shown_set = set(self.shown)
        return self._shown_set

