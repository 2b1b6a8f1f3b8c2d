"""Small input checks shared by the apps' views (jobs, authentication): unknown fields, strict strings, safe
integer ids."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError

MAX_ID = 2**63 - 1


def reject_unknown_fields(data: Any, allowed: set[str]) -> None:
    """400 `{"field": ["Unknown field."]}` for keys outside `allowed`; 400 when the body is not an object."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in unknown})


def parse_id_or_none(value: Any) -> int | None:
    """ASCII digits in the SQLite integer range (`²` and `٣` are digits to `str.isdigit`, not ids)."""
    text = str(value).strip()
    if text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        return int(text)
    return None


def parse_id(value: Any, *, not_found: bool = True, field: str = "id") -> int:
    """An id in the SQLite integer range; otherwise 404 (path ids) or 400 (query/body ids)."""
    parsed = parse_id_or_none(value)
    if parsed is not None:
        return parsed
    if not_found:
        raise NotFound()
    raise ValidationError({field: ["A valid integer id is required."]})


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers, booleans, lists... instead of coercing them to text."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(serializers.IntegerField):
    """An integer id; as text only ASCII digits (`int("١")` is 1, but that is not how an id is written)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and not data.strip().isascii():
            self.fail("invalid")
        return super().to_internal_value(data)
