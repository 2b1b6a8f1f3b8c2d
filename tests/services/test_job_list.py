"""The list rows the dashboard keeps: `JobSummary` from summary pages and from full jobs, keyset pages
(no `count`, a `next` link only to the same server), and polling by `updated_after` whether the server
honours it or not. MockTransport for server behaviours the reference server does not have; the last test
uses the real server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services.conftest import JOB, FakeApi
from tests.support.live_server import LiveServer
from tui.services.client import ApiClient
from tui.services.errors import ServerError
from tui.services.records import PROMPT_SUMMARY, JobSummary
from tui.services.tokens import TokenStore

START = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)


def job(job_id: int, minutes: int, **fields: Any) -> dict[str, Any]:
    moment = (START + timedelta(minutes=minutes)).isoformat()
    return {**JOB, "id": job_id, "title": f"job {job_id}", "created_at": moment, "updated_at": moment,
            **fields}


def summary(job_id: int, minutes: int, **fields: Any) -> dict[str, Any]:
    full = job(job_id, minutes, **fields)
    return {"stage_progress": None, **{key: full[key] for key in full if key not in ("stages", "prd")}}


def test_a_full_job_becomes_a_summary_without_prd_or_stages() -> None:
    stages = [{"name": "planning", "status": "done", "progress": 100},
              {"name": "coding", "status": "running", "progress": 40}]
    row = JobSummary.parse(job(1, 0, stages=stages, current_stage="coding", prd="# PRD" * 1000,
                                        status="building", initial_prompt="x" * 5000))
    assert row.stage_progress == 40 and len(row.initial_prompt) == PROMPT_SUMMARY
    assert not hasattr(row, "prd") and not hasattr(row, "stages")
    assert JobSummary.parse(summary(2, 0, stage_progress=7)).stage_progress == 7


def serve(api: FakeApi, answer: Callable[[httpx.Request], Any]) -> None:
    api.routes[("GET", "jobs/")] = lambda request: httpx.Response(200, json=answer(request))


async def test_keyset_pages_follow_next_on_the_same_server_only(api: FakeApi, logged_in: ApiClient) -> None:
    pages = {None: {"next": "http://api.test/api/jobs/?cursor=b&view=summary", "previous": None,
                    "results": [summary(3, 3), summary(2, 2)]},
             "b": {"next": "http://evil.test/api/jobs/?cursor=c", "previous": None,
                   "results": [summary(1, 1)]}}
    serve(api, lambda request: pages[request.url.params.get("cursor")])
    got = [(len(jobs), total) async for jobs, total in logged_in.job_summary_pages()]
    assert got == [(2, 2), (3, 3)]  # no count: the total is what arrived; evil.test never asked
    lists = [r.url for r in api.requests if r.url.path == "/api/jobs/"]
    assert {str(url.host) for url in lists} == {"api.test"}
    # the rest's first page, asked with the newest, is dropped (this server pages its own list: `next`)
    assert lists[-1].params["cursor"] == "b" and lists[-1].params["view"] == "summary"



def offset_pages(rows: list[Any]) -> Callable[[httpx.Request], Any]:
    """A server that ignores `pagination`, `view` and `ordering`: LimitOffset pages of `rows` as given."""
    def page(request: httpx.Request) -> Any:
        offset, limit = int(request.url.params.get("offset", 0)), int(request.url.params["limit"])
        return {"count": len(rows), "results": rows[offset:offset + limit]}

    return page


def rest_of_list(api: FakeApi) -> list[httpx.Request]:
    """The requests for the list after its newest page (either end: they ask an `ordering`)."""
    return [r for r in api.requests if r.url.path == "/api/jobs/" and "ordering" in r.url.params]


def ordered_pages(rows: list[Any]) -> Callable[[httpx.Request], Any]:
    """A server that honours `ordering=id` and `-id` (any other: `rows` as given), with LimitOffset pages."""
    def page(request: httpx.Request) -> Any:
        ordering = request.url.params.get("ordering")
        listed = sorted(rows, key=lambda row: row["id"], reverse=ordering == "-id") \
            if ordering in ("id", "-id") else rows
        return offset_pages(listed)(request)

    return page


async def test_offset_pages_of_full_jobs_from_a_server_without_summaries(api: FakeApi,
                                                                         logged_in: ApiClient) -> None:
    everything = [job(i, i, stages=[{"name": "coding", "progress": 50}], prd="long") for i in range(5, 0, -1)]

    serve(api, offset_pages(everything))
    got = [(len(jobs), total) async for jobs, total in logged_in.job_summary_pages(first=2, size=2)]
    assert got == [(2, 5), (4, 5), (5, 5)]


async def test_changed_jobs_when_the_server_ignores_updated_after(api: FakeApi, logged_in: ApiClient) -> None:
    newest_first = [summary(i, i) for i in range(30, 0, -1)]
    serve(api, lambda request: {"count": 30, "results": newest_first[:int(request.url.params["limit"])]})
    changed = await logged_in.changed_jobs(START + timedelta(minutes=27), limit=20)
    assert [row.id for row in changed] == [30, 29, 28]
    assert len([r for r in api.requests if r.url.path == "/api/jobs/"]) == 1


async def test_changed_jobs_pages_through_a_server_that_filters(api: FakeApi, logged_in: ApiClient) -> None:
    since = START + timedelta(minutes=5)
    newer = [summary(i, i) for i in range(50, 5, -1)]  # 45 jobs changed

    def page(request: httpx.Request) -> Any:
        assert datetime.fromisoformat(request.url.params["updated_after"]) == since
        offset, limit = int(request.url.params.get("offset", 0)), int(request.url.params["limit"])
        return {"count": len(newer), "results": newer[offset:offset + limit]}

    serve(api, page)
    changed = await logged_in.changed_jobs(since, limit=20)
    assert [row.id for row in changed] == list(range(50, 5, -1))


async def test_summaries_from_the_reference_server(live_server: LiveServer, fresh_user: dict,
                                                   tmp_path: Path) -> None:
    client = ApiClient(live_server.url, token_store=TokenStore(tmp_path / "tokens"))
    await client.login(fresh_user["username"], fresh_user["password"])
    first = await client.create_job("A todo app\nwith due dates " + "x" * 600)
    second = await client.create_job("Weather dashboard")
    rows = [jobs async for jobs, _ in client.job_summary_pages()][-1]
    assert [row.id for row in rows] == [second.id, first.id]
    assert len(rows[1].initial_prompt) == PROMPT_SUMMARY
    changed = await client.changed_jobs(first.updated_at)
    assert [row.id for row in changed] == [second.id]
    await client.aclose()


async def test_the_rest_is_read_in_a_stable_order(api: FakeApi, logged_in: ApiClient) -> None:
    """After the newest page, the rest is asked as keyset pages by id from both ends; a server that answers
    with offset pages anyway, in one order whatever `ordering` says, is read from the top on to the end in
    that same order (no job skipped when one changes while loading), the bottom dropped."""
    by_id = [summary(i, 10 - i) for i in range(5, 0, -1)]

    serve(api, offset_pages(by_id))
    got = [(len(jobs), total) async for jobs, total in logged_in.job_summary_pages(first=2, size=2)]
    assert got == [(2, 5), (4, 5), (5, 5)]
    asked = [r.url.params for r in api.requests if r.url.path == "/api/jobs/"]
    newest = [p for p in asked if "ordering" not in p]
    top = [p for p in asked if p.get("ordering") == "-id"]
    bottom = [p for p in asked if p.get("ordering") == "id"]
    assert len(newest) == 1 and len(top) + len(bottom) == len(asked) - 1
    assert top[0]["pagination"] == bottom[0]["pagination"] == "cursor"  # all three go out together
    assert [params.get("offset") for params in top] == [None, "2", "4"]
    assert len(bottom) <= 2  # its first page showed it is not read from the bottom: dropped


async def test_the_rest_is_asked_with_the_newest_page(api: FakeApi, logged_in: ApiClient) -> None:
    """The server can work on the first page of the rest while the newest rows are drawn: the newest page
    here is answered only once the rest's first page has been asked."""
    pages, rest_asked = offset_pages([summary(i, 10 - i) for i in range(5, 0, -1)]), asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("pagination") == "cursor":
            rest_asked.set()
        else:
            await wait_for(rest_asked.wait(), "the rest's first page asked before the newest is answered")
        return httpx.Response(200, json=pages(request))

    api.routes[("GET", "jobs/")] = answer
    got = [(len(jobs), total) async for jobs, total in logged_in.job_summary_pages(first=2, size=2)]
    assert got == [(2, 5), (4, 5), (5, 5)]


async def wait_for(step: Awaitable[Any], what: str, timeout: float = 10.0) -> None:
    try:
        await asyncio.wait_for(step, timeout)
    except TimeoutError:
        raise AssertionError(f"waited {timeout:g} s for {what}") from None


async def test_a_newest_page_that_holds_every_job_ends_the_load(api: FakeApi, logged_in: ApiClient) -> None:
    serve(api, offset_pages([summary(i, i) for i in range(3, 0, -1)]))
    got = [(len(jobs), total) async for jobs, total in logged_in.job_summary_pages(first=5, size=5)]
    assert got == [(3, 3)]
    assert len([r for r in api.requests if r.url.path == "/api/jobs/"]) <= 3  # no page after the ends dropped


async def test_a_failing_rest_does_not_hide_the_newest_rows(api: FakeApi, logged_in: ApiClient) -> None:
    """The early request for the rest fails: the newest rows still came first, then the error."""
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("pagination") == "cursor":
            return httpx.Response(500, json={"detail": "boom"})
        return httpx.Response(200, json=offset_pages([summary(i, i) for i in range(5, 0, -1)])(request))

    api.routes[("GET", "jobs/")] = answer
    got = []
    with pytest.raises(ServerError, match="internal error"):
        async for jobs, total in logged_in.job_summary_pages(first=2, size=2):
            got.append((len(jobs), total))
    assert got == [(2, 5)]


async def test_the_rest_is_read_ahead_while_the_caller_is_busy(api: FakeApi, logged_in: ApiClient) -> None:
    """Each page of the rest is asked as soon as the one before it has arrived, not when the caller comes
    back for it (at start-up the dashboard is still being built meanwhile). The two ends stop when
    `2 * PageWalk.AHEAD` decoded pages wait (each end then holds one more, and has the next on the wire);
    the pages then come out, none lost, until the ends meet."""
    from tui.services.list_walk import PageWalk

    rows = [summary(i, i) for i in range(200, 0, -1)]
    pages, asked = ordered_pages(rows), asyncio.Event()
    bound = 2 * PageWalk.AHEAD + 4  # pages of the rest asked while the caller is away

    def answer(request: httpx.Request) -> httpx.Response:
        if len(rest_of_list(api)) >= bound:
            asked.set()
        return httpx.Response(200, json=pages(request))

    api.routes[("GET", "jobs/")] = answer
    walk = logged_in.job_summary_pages(first=2, size=2)
    assert (len((await anext(walk))[0])) == 2  # the caller now does something else for a while
    await wait_for(asked.wait(), f"{bound} pages of the rest asked while the caller was away")
    for _ in range(200):  # give an unbounded walk every chance to ask more
        await asyncio.sleep(0)
    assert len(rest_of_list(api)) == bound
    final = [jobs async for jobs, _ in walk][-1]
    assert sorted(job.id for job in final) == list(range(1, 201))
    assert len(rest_of_list(api)) <= 100 + 2  # the ends met: at most the two on the wire then were extra


async def test_a_page_that_fails_mid_walk_raises_where_it_would_be(api: FakeApi,
                                                                   logged_in: ApiClient) -> None:
    """The walk reads ahead, but the rows before a failing page still come first, then the error."""
    pages = offset_pages([summary(i, i) for i in range(8, 0, -1)])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("offset") == "6":  # the rest's fourth page (its first repeats the newest)
            return httpx.Response(500, json={"detail": "boom"})
        return httpx.Response(200, json=pages(request))

    api.routes[("GET", "jobs/")] = answer
    got = []
    with pytest.raises(ServerError, match="internal error"):
        async for jobs, total in logged_in.job_summary_pages(first=2, size=2):
            got.append((len(jobs), total))
    assert got == [(2, 8), (4, 8), (6, 8)]



async def test_the_two_ends_meet_in_the_middle(api: FakeApi, logged_in: ApiClient) -> None:
    """A server that honours `ordering`: the rest is read from the top and the bottom at once, and the load
    ends where the two meet, each job once, about half the pages from each end."""
    rows = [summary(i, i) for i in range(1, 21)]  # ids 1..20; the newest page: the first two as served
    serve(api, ordered_pages(rows))
    final = [jobs async for jobs, _ in logged_in.job_summary_pages(first=2, size=2)][-1]
    assert sorted(job.id for job in final) == list(range(1, 21))
    asked = [r.url.params for r in rest_of_list(api)]
    top = [int(p.get("offset", 0)) for p in asked if p["ordering"] == "-id"]
    bottom = [int(p.get("offset", 0)) for p in asked if p["ordering"] == "id"]
    assert top[:3] == [0, 2, 4] and bottom[:3] == [0, 2, 4]
    assert len(top) + len(bottom) <= 10 + 2  # 10 pages cover 20 jobs; at most 2 more were on the wire


async def test_the_ends_stop_where_they_meet_while_the_caller_is_away(api: FakeApi,
                                                                       logged_in: ApiClient) -> None:
    """The walks judge where they are as the pages arrive, not as the caller takes them: with the caller
    away, no page past the middle is asked (but the two on the wire when they met), and the caller then
    gets every job once."""
    rows = [summary(i, i) for i in range(1, 25)]  # 12 pages of 2
    pages = ordered_pages(rows)

    serve(api, pages)
    walk = logged_in.job_summary_pages(first=2, size=2)
    await anext(walk)  # the caller now does something else for a while
    for _ in range(400):  # every chance to ask more
        await asyncio.sleep(0)
    assert len(rest_of_list(api)) <= 12 + 2
    final = [jobs async for jobs, _ in walk][-1]
    assert sorted(job.id for job in final) == list(range(1, 25))
    assert len(rest_of_list(api)) <= 12 + 2


async def test_a_bottom_that_fails_leaves_the_top_to_read_on(api: FakeApi, logged_in: ApiClient) -> None:
    """A server that refuses `ordering=id`: the load does not fail, the top reads every job."""
    rows, pages = [summary(i, i) for i in range(1, 8)], None
    pages = ordered_pages(rows)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("ordering") == "id":
            return httpx.Response(400, json={"ordering": ["Unknown ordering field: id."]})
        return httpx.Response(200, json=pages(request))

    api.routes[("GET", "jobs/")] = answer
    final = [jobs async for jobs, _ in logged_in.job_summary_pages(first=2, size=2)][-1]
    assert sorted(job.id for job in final) == list(range(1, 8))


@pytest.mark.parametrize(("reads", "met", "trusted"), [
    ([("top", [9, 8]), ("bottom", [1, 2]), ("top", [7, 6]), ("bottom", [3, 4, 5])], True, True),
    ([("top", [9, 8]), ("bottom", [1, 2]), ("top", [7, 6]), ("bottom", [3, 4])], False, True),  # 5 unread
    ([("top", [9, 5]), ("bottom", [1, 3])], False, True),  # 4 may lie between
    ([("top", [9, 5]), ("bottom", [1, 4])], True, True),  # neighbours: nothing lies between
    ([("bottom", [1, 6]), ("top", [9, 4])], True, True),  # overlapping, either end first
    ([("top", [9, 8]), ("bottom", [9, 8])], False, False),  # the same rows: `ordering` ignored
    ([("top", [9]), ("bottom", [9])], False, True),  # one row each, the same: not met (9 is not below 9)
    ([("top", [9, 8]), ("top", [8, 7])], False, False),  # the top went back up
    ([("bottom", [1, 2]), ("bottom", [2, 3])], False, False),  # the bottom went back down
    ([("top", [9, 10])], False, False),
    ([("top", [9, 8]), ("bottom", None)], False, False),  # ids that are not all whole numbers
])
def test_where_the_two_ends_meet(reads: list[tuple[str, list[int] | None]], met: bool, trusted: bool) -> None:
    from tui.services.list_walk import Meeting

    meeting = Meeting()
    for end, ids in reads:
        meeting.read(end, ids)  # type: ignore[arg-type]
    assert (meeting.met, meeting.trusted) == (met, trusted)


async def test_both_ends_on_the_reference_server(live_server: LiveServer, fresh_user: dict,
                                                 tmp_path: Path) -> None:
    """The real keyset pages from both ends, two jobs a page: every job once, and the ends met (the bottom
    was trusted all the way: its ids rose, the top's fell)."""
    from tui.services.list_walk import ListWalk

    client = ApiClient(live_server.url, token_store=TokenStore(tmp_path / "tokens"))
    await client.login(fresh_user["username"], fresh_user["password"])
    made = {(await client.create_job(f"Project number {n}")).id for n in range(9)}
    top, bottom = client._ask(client._rest(2, "-id")), client._ask(client._rest(2, "id"))
    walk = ListWalk(client, 2, (top, 0, "-id"), bottom)
    read: list[int] = []
    while (page := await walk.next_page()) is not None:
        read.extend(job.id for job in page.results)
    met, kept = walk.arrived.met and walk.handed == walk.arrived.pages, walk.bottom is not None
    walk.cancel()
    assert set(read) == made and len(read) <= len(made) + 1  # the pages may share the meeting job
    assert met and kept
    final, total = [load async for load in client.job_summary_pages(first=2, size=2)][-1]
    assert total == 9 and sorted(job.id for job in final) == sorted(made)
    await client.aclose()


@pytest.mark.parametrize(("results", "ids"), [
    ([{"id": 3}, {"id": 2}], [3, 2]), ([], []), (None, []), ("junk", []),
    ([{"id": 3}, {"id": "2"}], None), ([{"id": True}], None), ([{"id": 2.0}], None), ([3], None),
    ([{"title": "no id"}], None),
])
def test_the_ids_of_a_raw_page(results: object, ids: list[int] | None) -> None:
    from tui.services.list_walk import ids_of

    assert ids_of(results) == ids


async def test_a_list_that_fits_one_page_is_read_from_the_top(api: FakeApi, logged_in: ApiClient) -> None:
    """Between one newest page and one page of the rest (here 7 jobs, pages of 10): the top's first page
    holds every job, so the bottom's request is dropped as soon as the newest page gives the count (its
    answer, held back here, is never read), and the load ends with every job."""
    pages = ordered_pages([summary(i, i) for i in range(1, 8)])
    bottom_asked, dropped = asyncio.Event(), asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        ordering = request.url.params.get("ordering")
        if ordering == "id":
            bottom_asked.set()
            try:
                await asyncio.Event().wait()  # held back until cancelled
            except asyncio.CancelledError:
                dropped.set()
                raise
        elif ordering is None:  # the newest page: answered once the bottom's request is in
            await wait_for(bottom_asked.wait(), "the bottom's first page asked with the newest")
        return httpx.Response(200, json=pages(request))

    api.routes[("GET", "jobs/")] = answer
    loads = logged_in.job_summary_pages(first=2, size=10)
    assert (await anext(loads))[1] == 7
    await wait_for(dropped.wait(), "the bottom's request dropped once the count showed one page holds all")
    final = [jobs async for jobs, _ in loads][-1]
    assert sorted(job.id for job in final) == list(range(1, 8))
