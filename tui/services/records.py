"""The payloads a start reads (the user, the server's info, the job list's rows, tokens), without pydantic.

pydantic's import and its first schema cost ~120-150 ms of CPU, a fifth of a start on a 2-CPU machine,
so the records the first screen needs are frozen dataclasses read by `Record.parse`; the other payloads
(models.py) stay pydantic models, loaded after the rows are on screen. The reader is as tolerant as the
models are: unknown keys are ignored, a missing key takes its default, `None` is read only where the
annotation allows it, and a wrong type is a `ValueError` (the client reports a malformed answer).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, Union

Reader = Callable[[Any], Any]
Field = tuple[str, Reader, Any, bool]  # name, reader, default (or REQUIRED), None allowed
REQUIRED = object()
PROMPT_SUMMARY = 300  # characters of `initial_prompt` a list keeps (the server's `view=summary` cut)


def read_int(value: Any) -> int:
    if type(value) is int:
        return value
    raise ValueError(f"expected an integer, got {type(value).__name__}")


def read_str(value: Any) -> str:
    if type(value) is str:
        return value
    raise ValueError(f"expected a string, got {type(value).__name__}")


def read_bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise ValueError(f"expected true or false, got {type(value).__name__}")


def read_float(value: Any) -> float:
    if type(value) in (int, float):
        return float(value)
    raise ValueError(f"expected a number, got {type(value).__name__}")


def read_datetime(value: Any) -> datetime:
    """ISO 8601 (what the API sends), or seconds since the epoch as pydantic also read them."""
    if type(value) is str:
        return datetime.fromisoformat(value)  # ValueError if it is not one
    if type(value) in (int, float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError) as err:  # a year past 9999, a NaN
            raise ValueError(f"{value!r} is not a time") from err
    if isinstance(value, datetime):
        return value
    raise ValueError(f"expected a date and time, got {type(value).__name__}")


SCALARS: dict[Any, Reader] = {int: read_int, str: read_str, bool: read_bool, float: read_float,
                              datetime: read_datetime}


def nullable(hint: Any) -> tuple[Any, bool]:
    """`X | None` -> (X, True); any other annotation -> (it, False)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return next(arg for arg in args if arg is not type(None)), True
    return hint, False


def reader_for(hint: Any) -> Reader:
    """The reader of one annotation (`None` is `nullable`'s): a scalar, a record, or a list of records."""
    if hint in SCALARS:
        return SCALARS[hint]
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.parse
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and len(args) == 1:
        item = reader_for(args[0])

        def read_list(value: Any) -> list[Any]:
            if type(value) is not list:
                raise ValueError(f"expected a list, got {type(value).__name__}")
            return [item(entry) for entry in value]
        return read_list
    raise TypeError(f"no reader for {hint!r}")


class Record:
    """Base of the records: `parse(data)` reads a decoded JSON object into the dataclass."""

    __slots__ = ()
    _fields: ClassVar[tuple[Field, ...] | None] = None

    @classmethod
    def fields(cls) -> tuple[Field, ...]:
        """(name, reader, default or REQUIRED, None allowed) per field, made once per class from its
        annotations."""
        made = cls.__dict__.get("_fields")
        if made is None:
            hints = typing.get_type_hints(cls)
            made = tuple((field.name, reader_for(inner), default_of(field), allows_none)
                         for field in dataclasses.fields(typing.cast(Any, cls))
                         for inner, allows_none in [nullable(hints[field.name])])
            cls._fields = made
        return made

    @staticmethod
    def prepare(data: dict[str, Any]) -> dict[str, Any]:
        """The object as this record reads it (a subclass may reshape what a server sent)."""
        return data

    @classmethod
    def parse(cls, data: Any) -> Self:
        if type(data) is not dict:
            raise ValueError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
        data = cls.prepare(data)
        # Filled as the frozen dataclass's own __init__ fills it: ~25 % faster than keywords for __init__.
        record = object.__new__(cls)
        for name, read, default, allows_none in cls.fields():
            value = data.get(name, REQUIRED)
            if value is REQUIRED:
                if default is REQUIRED:
                    raise ValueError(f"{cls.__name__}.{name}: missing")
                value = default
            elif value is not None or not allows_none:
                try:
                    value = read(value)
                except ValueError as err:
                    raise ValueError(f"{cls.__name__}.{name}: {err}") from None
            object.__setattr__(record, name, value)
        return record


def default_of(field: dataclasses.Field[Any]) -> Any:
    """A field's default; records hold only immutable defaults (a default_factory is not read)."""
    if field.default_factory is not dataclasses.MISSING:
        raise TypeError(f"{field.name}: records take plain defaults, not a default_factory")
    return REQUIRED if field.default is dataclasses.MISSING else field.default


@dataclass(frozen=True, slots=True, kw_only=True)  # keywords: fields in the API's order
class User(Record):
    id: int
    username: str
    email: str = ""
    is_staff: bool = False
    date_joined: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerInfo(Record):
    name: str = "appbuilder"
    version: str = ""
    allow_job_purge: bool = False
    ws_dialect: str = "documented"
    max_prompt_length: int = 20000
    access_token_lifetime: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Session(Record):
    """What the profile screen may show about the session: never the tokens themselves."""

    server_url: str
    username: str
    access_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenPair(Record):
    access: str
    refresh: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginAnswer(Record):
    access: str
    refresh: str
    user: User


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSummary(Record):
    """What a list shows of a job (`GET /api/jobs/?view=summary`): no PRD, no stages, the prompt cut short.

    Read from a full job too (servers that ignore `view=summary`): `stage_progress` is then computed from
    its stages and the PRD and stages are dropped, so a list of 50k jobs stays small."""

    id: int
    title: str = ""
    initial_prompt: str
    status: str
    current_stage: str | None = None
    stage_progress: int | None = None
    app_id: int | None = None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def prepare(data: dict[str, Any]) -> dict[str, Any]:
        return summary_of_full_job(data)

    @classmethod
    def of(cls, job: Any) -> JobSummary:
        """The summary of a full job already parsed (`models.Job`: a socket snapshot, a job created here),
        read as a full job from a server is (`summary_of_full_job`)."""
        return cls.parse(job.model_dump(exclude={"prd"}))


def summary_of_full_job(data: dict[str, Any]) -> dict[str, Any]:
    """A full job's fields as a summary's: stages and PRD dropped, the prompt cut, the current stage's
    progress kept as `stage_progress` (unless the server sent one). A summary comes back as it is."""
    stages = data.get("stages")
    prompt = data.get("initial_prompt")
    if stages is None and not (isinstance(prompt, str) and len(prompt) > PROMPT_SUMMARY):
        return data
    data = {key: value for key, value in data.items() if key not in ("stages", "prd")}
    if isinstance(prompt, str):
        data["initial_prompt"] = prompt[:PROMPT_SUMMARY]
    if isinstance(stages, list) and data.get("stage_progress") is None:
        current = data.get("current_stage")
        stage = next((s for s in stages if isinstance(s, dict) and s.get("name") == current), None)
        progress = stage.get("progress") if stage is not None else None
        data["stage_progress"] = progress if type(progress) is int else None
    return data


@dataclass(frozen=True, slots=True, kw_only=True)
class JobSummaryPage(Record):
    """A page of summaries: `count` is missing on keyset (cursor) pages, `next` on servers without it."""

    count: int | None = None
    next: str | None = None
    results: list[JobSummary]
