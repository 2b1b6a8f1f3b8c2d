"""The job list after its newest page, read ahead from both ends at once until the two ends meet.

Pages of the rest come one after another: each is asked with the link (or offset) the one before it gave.
While the dashboard is being built the event loop is busy, and each step waited for it (10k jobs: three
pages in the ~350 ms the dashboard took to build, then six more one by one). Two walks over the same list,
one from the largest id down (`ordering=-id`) and one from the smallest up (`ordering=id`), take half the
steps each. Both are keyset walks (or offset walks of a server without keyset pages), so a job that
changes meanwhile moves no other job between pages.

The walk from the bottom only ever saves time. It is trusted while its ids rise, the top's fall, and its
first id is below the top's first (a server that ignores `ordering` sends both the same rows); once it is
not trusted, or it fails, it is dropped and the top walk reads on to the end alone, as if it had never
been there. The rows either walk has read are all kept (a job read twice is kept once by the caller).

Where the ends are is judged as the pages arrive (`ListWalk.arrived`): an end asks no further page once the
ends have met, and drops a page that arrives after that, whose rows can only be repeats. The load ends when
the ends have met and every page kept before that has been handed to the reader. (Judged by what the reader
took instead, each end read two or three pages past the middle while the dashboard was being built: 10k
jobs took 16 pages where 11 do.)
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Literal

from tui.services.records import JobSummaryPage

if TYPE_CHECKING:
    from tui.services.client import ApiClient

End = Literal["top", "bottom"]
Arrival = tuple[End, JobSummaryPage | None, BaseException | None]  # a page (None: that end is done), or error


class PageWalk:
    """One end's pages, read ahead: each page's request is sent when the page before it has arrived (from
    its `next` link or the next offset); at most `AHEAD` parsed pages of each end wait for the reader."""

    AHEAD = 8

    def __init__(self, client: ApiClient, end: End, request: asyncio.Task[Any] | None, offset: int,
                 size: int, ordering: str, arrivals: asyncio.Queue[Arrival], arrived: Meeting) -> None:
        self.end, self.first, self.arrivals, self.arrived = end, request, arrivals, arrived
        self.task = asyncio.ensure_future(self._walk(client, request, offset, size, ordering))

    async def _walk(self, client: ApiClient, request: asyncio.Task[Any] | None, offset: int, size: int,
                    ordering: str) -> None:
        """Each page is parsed here, after the next one is asked: only rows wait for the reader, not the
        decoded JSON (a page's ~13k dicts and lists, which the garbage collector would scan while they
        wait)."""
        arrived = self.arrived
        try:
            while request is not None:
                body = await request
                if arrived.met:  # the ends met while this page was on the wire: it can only repeat rows
                    break
                results = body.get("results") if isinstance(body, dict) else None
                offset += len(results) if isinstance(results, list) else 0
                arrived.read(self.end, ids_of(results))
                request = None if arrived.met or (self.end == "bottom" and not arrived.trusted) else \
                    client._ask_after(body, offset, size, ordering)  # travels while this one is parsed
                page = client._parse(JobSummaryPage, body, "GET /api/jobs/")
                del body, results
                await self.arrivals.put((self.end, page, None))
            await self.arrivals.put((self.end, None, None))
        except Exception as err:  # noqa: BLE001 - handed to the reader, raised where its page would be
            await self.arrivals.put((self.end, None, err))
        finally:
            drop(request)

    def cancel(self) -> None:
        self.task.cancel()
        drop(self.first)  # the walk may not have started yet


class Meeting:
    """How far each end has come (see the module docstring for when the bottom is trusted)."""

    def __init__(self) -> None:
        self.top: tuple[int, int] | None = None  # the top's first id and its lowest so far
        self.bottom: tuple[int, int] | None = None  # the bottom's first id and its highest so far
        self.trusted = True
        self.pages = 0  # pages read (each is handed to the reader)

    def read(self, end: End, ids: list[int] | None) -> None:
        """An end's next page, as its ids (None: not all whole numbers, so not an order to trust)."""
        self.pages += 1
        if ids is None:
            self.trusted = False
            return
        if not ids:
            return
        falling = end == "top"
        reached = self.top if falling else self.bottom
        chain = [reached[1], *ids] if reached else ids
        if not all((b < a) if falling else (b > a) for a, b in zip(chain, chain[1:], strict=False)):
            self.trusted = False
        now = (reached[0] if reached else ids[0], ids[-1])
        if falling:
            self.top = now
        else:
            self.bottom = now

    @property
    def met(self) -> bool:
        """Every id from the bottom's first to the top's first has been read by one end or the other."""
        top, bottom = self.top, self.bottom
        return self.trusted and top is not None and bottom is not None and bottom[0] < top[0] \
            and top[1] - bottom[1] <= 1  # ids are whole numbers: none lies between n and n + 1


class ListWalk:
    """The rest of the list: the top walk, and the bottom walk if there is one, read as one stream."""

    def __init__(self, client: ApiClient, size: int, top: tuple[asyncio.Task[Any] | None, int, str],
                 bottom: asyncio.Task[Any] | None = None) -> None:
        """`top` is (its first request, the offset after that page, the ordering it asks); `bottom` is the
        bottom's first request (`ordering=id`, from offset 0)."""
        self.arrivals: asyncio.Queue[Arrival] = asyncio.Queue(2 * PageWalk.AHEAD)
        request, offset, ordering = top
        self.arrived = Meeting()
        self.handed = 0  # pages handed to the reader: the load ends once `arrived.pages` are, and they met
        self.top = PageWalk(client, "top", request, offset, size, ordering, self.arrivals, self.arrived)
        self.bottom = PageWalk(client, "bottom", bottom, 0, size, "id", self.arrivals, self.arrived) \
            if bottom else None
        self.done = False

    async def next_page(self) -> JobSummaryPage | None:
        """The next page from either end, None once the list has been read (an end reached its last page,
        or the two ends met). The top's errors are raised here; the bottom's drop the bottom."""
        while not self.done:
            end, page, error = await self.arrivals.get()
            if end == "bottom" and self.bottom is None:  # dropped since: its rows are still rows
                if page is None:
                    continue
                self.handed += 1
                return page
            if error is not None and end == "bottom":
                self.drop_bottom()
                continue
            if error is not None:
                raise error
            if page is None and not self.arrived.met:
                if end == "top":  # it read to the end of the list: nothing is missing
                    self.done = True
                    return None
                self.drop_bottom()  # it stopped trusting its order (or read to the end before the top began)
                continue
            if page is None:  # the ends met: this end has put all it read (the count below ends the load)
                continue
            self.handed += 1
            self.done = self.arrived.met and self.handed == self.arrived.pages
            return page
        return None

    def drop_bottom(self) -> None:
        if self.bottom is not None:
            self.bottom.cancel()
            self.bottom = None
        self.arrived.trusted = False

    def cancel(self) -> None:
        self.top.cancel()
        self.drop_bottom()


def ids_of(results: Any) -> list[int] | None:
    """The ids of a page's raw rows, None unless all are whole numbers (what a hostile server sends is
    then simply not an order to trust; the rows themselves are read, or refused, by the parser)."""
    if not isinstance(results, list):
        return []
    ids: list[int] = []
    for row in results:
        value = row.get("id") if isinstance(row, dict) else None
        if type(value) is not int:
            return None
        ids.append(value)
    return ids


def drop_walk(walk: ListWalk | None) -> None:
    if walk is not None:
        walk.cancel()


def drop(task: asyncio.Task[Any] | None) -> None:
    """Cancel a request no longer wanted (a finished one's error, if any, is read so none is logged)."""
    if task is None:
        return
    task.cancel()
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
