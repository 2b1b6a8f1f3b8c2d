"""JobIndex: sort order, in-place updates, new rows placed by the sort, and the incremental filter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tui.services.job_index import JobIndex
from tui.services.records import JobSummary

START = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = ("todo", "weather", "recipes", "chess")


def row(job_id: int, minutes: int | None = None, status: str = "done") -> JobSummary:
    moment = START + timedelta(minutes=job_id if minutes is None else minutes)
    return JobSummary(id=job_id, title=f"Project {job_id} about {WORDS[job_id % 4]}",
                      initial_prompt=f"prompt {job_id}", status=status, created_at=START, updated_at=moment)


def filled(count: int = 100) -> JobIndex:
    index = JobIndex()
    index.replace_all(row(i) for i in range(1, count + 1))
    return index


def test_sorted_newest_first_and_by_other_columns() -> None:
    index = filled(10)
    assert index.order == list(range(10, 0, -1))
    index.set_sort("id", reverse=False)
    assert index.order == list(range(1, 11))
    index.set_sort("title", reverse=False)
    titles = [index.by_id[i].title for i in index.order]
    assert titles == sorted(titles, key=str.lower)


def test_filter_narrows_widens_and_clears() -> None:
    index = filled()
    chess = index.set_filter("chess")
    assert len(chess) == 25 and all("chess" in index.by_id[i].title for i in chess)
    assert index.set_filter("chess") is chess  # retyped: the cached result, no scan
    assert index.set_filter("project 4 ") == [4]  # any part of the search text
    assert index.set_filter("ches") == [i for i in index.order if "ches" in index.by_id[i].title]
    assert index.set_filter("") is index.order


def test_narrowing_scans_only_the_current_result() -> None:
    index = filled()
    index.set_filter("chess")
    index.haystack[1] = "chess but not shown"  # a row outside the result: a narrower needle never sees it
    assert 1 not in index.set_filter("chess b")


def test_update_in_place_keeps_the_row_and_follows_the_filter() -> None:
    index = filled(10)
    index.set_filter("done")
    assert len(index.shown) == 10
    assert index.upsert(row(5, minutes=999, status="failed")) is False
    assert index.order.index(5) == 5  # not moved under the cursor
    assert 5 not in index.shown and len(index.shown) == 9
    index.upsert(row(5, status="done"))
    assert 5 in index.shown


def test_new_rows_go_where_the_sort_puts_them() -> None:
    index = filled(10)
    assert index.upsert(row(11)) is True and index.order[0] == 11
    index.upsert(row(12, minutes=0))
    assert index.order[-1] == 12
    index.set_filter("chess")  # 12 is about chess
    index.upsert(row(16, minutes=5))
    assert index.shown == [i for i in index.order if "chess" in index.haystack[i]]
    assert index.remove(16) and 16 not in index.order and 16 not in index.shown
    assert not index.remove(16)


def test_search_texts_prepared_while_loading_are_used_for_those_rows_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.services.job_index as job_index

    made: list[int] = []
    real = job_index.search_text
    monkeypatch.setattr(job_index, "search_text", lambda job: made.append(job.id) or real(job))
    index, loading = JobIndex(), [row(1), row(2)]
    index.prepare(loading)
    loading += [row(3), row(4)]  # the next page, the same list
    index.prepare(loading)
    assert made == [1, 2, 3, 4]  # each row read once
    renamed = replace(loading[1], title="Renamed chess club")
    index.replace_all([*loading[:1], renamed, *loading[2:]])
    assert made == [1, 2, 3, 4, 2]  # only the changed row read again
    assert index.set_filter("renamed") == [2] and index.set_filter("project 2") == []
    index.replace_all(loading)  # nothing prepared any more: every row read
    assert len(made) == 9
