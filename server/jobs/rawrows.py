"""The jobs list's rows on SQLite: one hand-written SELECT (values only ever as parameters), no ORM.

Why not the ORM here: for a list page, building and compiling the queryset cost ~25 % of the request and the
backend's datetime conversion (stored text -> aware datetime -> ISO text) another ~20 %; a 1,000-row summary
page spent most of its time converting values. This module reads the same columns with a SELECT built from
fixed fragments, and `api_time` turns the stored text straight into the text DRF gave
(`2026-11-26 03:50:00.123456` -> `2026-11-26T03:50:00.123456Z`; anything else takes the old conversion).

`JobRows` is what DRF's paginators see: LimitOffsetPagination and CursorPagination call only `count()`,
`order_by()`, `filter(<field>__lt|__gt=<position>)` and slicing, so their links and cursors stay DRF's own.
Other database backends (Postgres) get the ORM queryset (`serializers.job_rows`): the same columns.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import App, Job
from .services import iso

# Naive UTC text, as Django's SQLite backend stores an aware datetime (`str(datetime)`: no fraction, or six
# digits), or as SQLite's own strftime('%Y-%m-%d %H:%M:%f') writes it (three digits).
_STORED_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,6}))?")
_KEYSET = re.compile(r"(id|created_at|updated_at)__(lt|gt)")


def _stored(value: str, sep: str, utc: str) -> str | None:
    """`value` in `datetime.isoformat(sep)` form with `utc` for the offset, if it is plain stored text."""
    match = _STORED_TIME.fullmatch(value)
    if match is None:
        return None
    date, time, fraction = match.groups()
    if fraction is None or not fraction.strip("0"):  # isoformat omits zero microseconds
        return f"{date}{sep}{time}{utc}"
    return f"{date}{sep}{time}.{fraction.ljust(6, '0')}{utc}"


def _parsed(value: str) -> datetime:
    """Any other text: as Django's SQLite converter reads it (naive means UTC)."""
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a stored datetime: {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def api_time(value: Any) -> str:
    """A job timestamp as the API writes it (DRF's form: UTC, `Z`), from stored text or a datetime."""
    if isinstance(value, str):
        return _stored(value, "T", "Z") or iso(_parsed(value))
    return iso(value)


def position(value: Any) -> str:
    """`str()` of the value the ORM would have read (DRF's cursor position), from stored text too."""
    if isinstance(value, str):
        return _stored(value, " ", "+00:00") or str(_parsed(value))
    return str(value)


def _columns(summary: bool) -> str:
    """The timestamps are cast to text: as plain columns, sqlite3's registered converter would parse them."""
    app = f'(SELECT a."id" FROM "{App._meta.db_table}" a WHERE a."job_id" = j."id" LIMIT 1)'
    prompt = 'SUBSTR(j."initial_prompt", 1, %d)' if summary else 'j."initial_prompt"'
    prd = "" if summary else ', j."prd"'
    return (f'j."id", j."title", {prompt}, j."status", j."current_stage", CAST(j."stages" AS text){prd}, '
            f'{app}, CAST(j."created_at" AS text), CAST(j."updated_at" AS text)')


# Where a keyset field is in a row tuple: first or last, in both views' columns (`serializers.FULL_COLUMNS`).
_AT = {"id": 0, "created_at": -2, "updated_at": -1}


def row_value(row: Any, field: str) -> Any:
    """A keyset field's value in a row: a tuple from `JobRows` or a dict from the ORM's `job_rows`."""
    return row[_AT[field]] if isinstance(row, tuple) else row[field]


class JobRows:
    """A user's jobs (list filters applied) as row tuples, in the order of `serializers.FULL_COLUMNS` (or
    `SUMMARY_COLUMNS`): the serializers render a tuple row once and remember it (`serializers.Rendered`)."""

    def __init__(self, owner_id: int, summary: bool, query: dict[str, Any], prompt_chars: int) -> None:
        self.summary = summary
        self.select = "SELECT " + (_columns(summary) % prompt_chars if summary else _columns(summary))
        self.where = ['j."owner_id" = %s']
        self.params: list[Any] = [owner_id]
        if search := query["search"]:
            like = "%" + connection.ops.prep_for_like_query(search) + "%"
            self.where.append("""(j."title" LIKE %s ESCAPE '\\' OR j."initial_prompt" LIKE %s ESCAPE '\\')""")
            self.params += [like, like]
        if statuses := query["status"]:
            self.where.append(f'j."status" IN ({", ".join(["%s"] * len(statuses))})')
            self.params += statuses
        if "updated_after" in query:
            self.where.append('j."updated_at" > %s')
            self.params.append(self._db_value("updated_at", query["updated_after"]))
        self.ordering = tuple(query["ordering"])

    def _db_value(self, field: str, value: Any) -> Any:
        """The parameter the ORM would pass for `value` compared with `field` (parsed, UTC, adapted)."""
        return Job._meta.get_field(field).get_db_prep_value(value, connection, prepared=False)

    def _clone(self) -> JobRows:
        clone = object.__new__(JobRows)
        clone.__dict__.update(self.__dict__, where=list(self.where), params=list(self.params))
        return clone

    def order_by(self, *fields: str) -> JobRows:
        clone = self._clone()
        clone.ordering = fields
        return clone

    def filter(self, **keyset: Any) -> JobRows:
        """The cursor paginator's position filter: one `<field>__lt` or `<field>__gt`."""
        ((lookup, value),) = keyset.items()
        match = _KEYSET.fullmatch(lookup)
        if match is None:
            raise ValueError(f"unsupported filter: {lookup}")
        clone = self._clone()
        clone.where.append(f'j."{match[1]}" {"<" if match[2] == "lt" else ">"} %s')
        clone.params.append(self._db_value(match[1], value))
        return clone

    def _sql(self) -> str:
        order = ", ".join(f'j."{f.lstrip("-")}"' + (" DESC" if f.startswith("-") else " ASC")
                          for f in self.ordering)
        return (f'{self.select} FROM "{Job._meta.db_table}" j WHERE {" AND ".join(self.where)}'
                + (f" ORDER BY {order}" if order else ""))

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{Job._meta.db_table}" j WHERE {" AND ".join(self.where)}',
                           self.params)
            return int(cursor.fetchone()[0])

    def __getitem__(self, page: slice) -> list[tuple[Any, ...]]:
        start = page.start or 0
        limit = -1 if page.stop is None else max(0, page.stop - start)
        with connection.cursor() as cursor:
            cursor.execute(self._sql() + " LIMIT %s OFFSET %s", [*self.params, limit, start])
            return cursor.fetchall()

    def __iter__(self) -> Any:
        return iter(self[0:None])

    def __len__(self) -> int:
        return self.count()


def uses_raw_rows() -> bool:
    """SQLite storing UTC text (USE_TZ, no per-database TIME_ZONE): what `api_time` formats directly."""
    return connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC"
