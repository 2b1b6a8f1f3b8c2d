"""Offset pages' `next`/`previous` links: made through a remembered helper, and still exactly DRF's."""

from __future__ import annotations

import itertools

import pytest
from django.test import RequestFactory
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from server.jobs.listing import OptionalLimitOffsetPagination, with_param

QUERIES = [
    {"limit": "50"},
    {"limit": "50", "offset": "100"},
    {"limit": "7", "offset": "3", "search": "café & co", "status": "done,failed", "ordering": "-id"},
    {"offset": "9", "limit": "10", "view": "summary", "search": "a+b=c%"},
]


def paginated(cls: type[LimitOffsetPagination], query: dict[str, str], offset: int, limit: int,
              count: int) -> LimitOffsetPagination:
    request = Request(RequestFactory().get("/api/jobs/", query, HTTP_HOST="127.0.0.1:8000"))
    paginator = cls()
    paginator.request, paginator.offset, paginator.limit, paginator.count = request, offset, limit, count
    return paginator


@pytest.mark.parametrize("query", QUERIES)
def test_links_are_drfs_own(query: dict[str, str]) -> None:
    for offset, limit, count in itertools.product([0, 1, 9, 10, 50, 100, 149], [1, 10, 50], [0, 10, 150]):
        ours = paginated(OptionalLimitOffsetPagination, query, offset, limit, count)
        drf = paginated(LimitOffsetPagination, query, offset, limit, count)
        assert (ours.get_next_link(), ours.get_previous_link()) == (drf.get_next_link(),
                                                                    drf.get_previous_link())


def test_a_link_is_made_once_per_url() -> None:
    with_param.cache_clear()
    first = paginated(OptionalLimitOffsetPagination, QUERIES[1], 100, 50, 1000)
    links = (first.get_next_link(), first.get_previous_link())
    made = with_param.cache_info().misses
    again = paginated(OptionalLimitOffsetPagination, QUERIES[1], 100, 50, 1000)
    assert (again.get_next_link(), again.get_previous_link()) == links
    assert with_param.cache_info().misses == made
    assert links == ("http://127.0.0.1:8000/api/jobs/?limit=50&offset=150",
                     "http://127.0.0.1:8000/api/jobs/?limit=50&offset=50")
