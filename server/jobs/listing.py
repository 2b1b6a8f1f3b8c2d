"""The jobs list's query parameters and its two paginations (offset with a count; keyset cursors without).

Every parameter is checked by `JobListQuery`, so a bad value is a 400 in words, never a 500.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from server.validation import parse_id_or_none

from .models import Job
from .rawrows import position, row_value

ORDERING_FIELDS = {"id", "created_at", "updated_at", "title", "status"}
# Keyset pages need an (almost) unique first ordering field: ties past DRF's offset cut-off would be lost.
CURSOR_ORDERING_FIELDS = {"id", "created_at", "updated_at"}
DEFAULT_ORDERING = "-updated_at"
# `+01:00` sent unencoded in a query string arrives as ` 01:00`: put the `+` back.
_PLUS_AS_SPACE = re.compile(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


class QueryDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime from a query string (naive means UTC)."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _PLUS_AS_SPACE.sub(r"\1+\2", value.strip())
        return super().to_internal_value(value)


class JobListQuery(serializers.Serializer):
    """`GET /api/jobs/` parameters (docs/api.md). `limit`, `offset` and `cursor` belong to the paginators."""

    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=1000)
    status = serializers.CharField(required=False, default="", allow_blank=True)
    ordering = serializers.CharField(required=False, default=DEFAULT_ORDERING, allow_blank=True)
    view = serializers.ChoiceField(choices=["full", "summary"], default="full")
    updated_after = QueryDateTimeField(required=False)
    pagination = serializers.ChoiceField(choices=["offset", "cursor"], default="offset")
    REMEMBERED = 256
    _known: ClassVar[dict[tuple[Any, ...], dict[str, Any]]] = {}
    _lock = threading.Lock()

    def validate_status(self, value: str) -> list[str]:
        wanted = [s.strip() for s in value.split(",") if s.strip()]
        unknown = sorted(set(wanted) - set(Job.Status.values))
        if unknown:
            raise ValidationError(f"Unknown status: {', '.join(unknown)}.")
        return wanted

    def validate_ordering(self, value: str) -> list[str]:
        ordering = [o.strip() for o in value.split(",") if o.strip()] or [DEFAULT_ORDERING]
        bad = [o for o in ordering if o.lstrip("-") not in ORDERING_FIELDS]
        if bad:
            raise ValidationError(f"Unknown ordering field: {', '.join(bad)}.")
        return ordering

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first = attrs["ordering"][0].lstrip("-")
        if attrs["pagination"] == "cursor" and first not in CURSOR_ORDERING_FIELDS:
            raise ValidationError({"ordering": [
                f"Cursor pagination orders by {', '.join(sorted(CURSOR_ORDERING_FIELDS))} only, not {first}."
            ]})
        attrs["search"] = attrs["search"].strip()
        attrs["ordering"] = [*attrs["ordering"], "-id"]
        return attrs

    @classmethod
    def parse(cls, request: Request) -> dict[str, Any]:
        """The validated parameters. Valid ones are remembered by their text (a client repeats the same few
        queries; validation was a tenth of a list request); lists are copied, so no request changes them."""
        given = request.query_params
        names = given.keys() & cls._declared_fields
        key = tuple(sorted((name, tuple(given.getlist(name))) for name in names))
        with cls._lock:
            known = cls._known.get(key)
        if known is None:
            known = cls.validated(given)  # a QueryDict, as before (its blank values mean "not given")
            with cls._lock:
                if len(cls._known) >= cls.REMEMBERED:
                    cls._known.clear()
                cls._known[key] = known
        return {name: list(value) if isinstance(value, list) else value for name, value in known.items()}

    @classmethod
    def validated(cls, data: Any) -> dict[str, Any]:
        query = cls(data=data)
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)


@functools.lru_cache(maxsize=1024)
def with_param(url: str, key: str, value: str | None) -> str:
    """DRF's `replace_query_param` (`remove_query_param` for None), remembered: a page link parsed and
    re-encoded the request's URL for each link, 5 % of a middle 50-job page's CPU; clients ask for the same
    pages again. At most 1024 URLs are kept."""
    return remove_query_param(url, key) if value is None else replace_query_param(url, key, value)


class OptionalLimitOffsetPagination(LimitOffsetPagination):
    """Pages only when `limit` is given; otherwise the full list. The links are DRF's own (its
    `get_next_link`/`get_previous_link`, step for step), made through `with_param`."""

    default_limit = None
    max_limit = 1000
    # Set by the view for an unfiltered list: (how to count) -> count, from counts.job_counts.
    cached_count: Callable[[Callable[[], int]], int] | None = None

    def get_count(self, queryset: Any) -> int:
        count = super().get_count
        return count(queryset) if self.cached_count is None else self.cached_count(lambda: count(queryset))

    def get_next_link(self) -> str | None:
        if self.offset + self.limit >= self.count:
            return None
        url = with_param(self.request.build_absolute_uri(), self.limit_query_param, str(self.limit))
        return with_param(url, self.offset_query_param, str(self.offset + self.limit))

    def get_previous_link(self) -> str | None:
        if self.offset <= 0:
            return None
        url = with_param(self.request.build_absolute_uri(), self.limit_query_param, str(self.limit))
        if self.offset - self.limit <= 0:
            return with_param(url, self.offset_query_param, None)
        return with_param(url, self.offset_query_param, str(self.offset - self.limit))


class JobCursorPagination(CursorPagination):
    """Keyset pages (`pagination=cursor`): no COUNT, no OFFSET scan; `limit` sets the page size."""

    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        return tuple(view.list_query["ordering"])

    def decode_cursor(self, request: Request) -> Any:
        """A cursor that is not one this list made (garbled, or from another ordering) is a 400."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            valid = False
        else:
            valid = cursor is None or cursor.position is None or self._position_ok(cursor.position)
        if not valid:
            raise ValidationError({"cursor": ["Invalid cursor: use the next or previous link as given."]})
        return cursor

    def _get_position_from_instance(self, instance: Any, ordering: Any) -> str:
        """DRF's position (`str()` of the ordering value), also from a raw row's stored datetime text."""
        return position(row_value(instance, ordering[0].lstrip("-")))

    def _position_ok(self, position: str) -> bool:
        field = self.ordering[0].lstrip("-")
        if field == "id":
            return parse_id_or_none(position) is not None
        try:
            return parse_datetime(position) is not None
        except ValueError:
            return False
