"""Job, JobMessage and App representations; jobs are rendered by hand from dict rows (10,000 list quickly)."""

from __future__ import annotations

import functools
import threading
from typing import Any

import orjson
from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Substr
from rest_framework import serializers

from server.validation import IdField, StrictCharField

from .models import App, Job, JobMessage
from .rawrows import api_time

PROMPT_SUMMARY_CHARS = 300
# Columns read for each representation: rows are read as dicts (`job_rows`), not model instances, which
# costs a third of the time for a page of jobs.
# `stages` is read as its JSON text (`stages_text`) and decoded by orjson: a quarter of the time of the
# JSONField's own json.loads per row.
FULL_COLUMNS = ("id", "title", "initial_prompt", "status", "current_stage", "stages_text", "prd", "app_id",
                "created_at", "updated_at")
SUMMARY_COLUMNS = ("id", "title", "prompt_head", "status", "current_stage", "stages_text", "app_id",
                   "created_at", "updated_at")



def job_rows(queryset: QuerySet[Job], summary: bool = False) -> QuerySet[Job, dict[str, Any]]:
    """The queryset as the dict rows `JobSerializer` (or, `summary`, `JobSummarySerializer`) renders.

    The app id is a subquery, not a join, so that counting the rows (offset pages) reads the jobs alone."""
    app = App.objects.filter(job_id=OuterRef("pk")).order_by().values("id")[:1]
    queryset = queryset.annotate(app_id=Subquery(app), stages_text=Cast("stages", TextField()))
    if summary:
        queryset = queryset.annotate(prompt_head=Substr("initial_prompt", 1, PROMPT_SUMMARY_CHARS))
        return queryset.values(*SUMMARY_COLUMNS)
    return queryset.values(*FULL_COLUMNS)


@functools.lru_cache(maxsize=512)
def _decoded(text: str) -> Any:
    return orjson.loads(text)


def stages(row: dict[str, Any]) -> Any:
    """The stages, decoded once per distinct text: jobs share a few (every finished job's are the same), and
    decoding them was a tenth of a list request. The value is shared, so it is only ever read (rendered)."""
    text = row["stages_text"]
    return None if text is None else _decoded(text)


def job_dict(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "initial_prompt": row["initial_prompt"],
        "status": row["status"],
        "current_stage": row["current_stage"],
        "stages": stages(row),
        "prd": row["prd"],
        "app_id": row["app_id"],
        "created_at": api_time(row["created_at"]),
        "updated_at": api_time(row["updated_at"]),
    }


def stage_progress(current_stage: str | None, stages: Any) -> int | None:
    """Progress (0-100) of the current stage; None when no stage is running."""
    if current_stage is None or not isinstance(stages, list):
        return None
    for stage in stages:
        if isinstance(stage, dict) and stage.get("name") == current_stage:
            progress = stage.get("progress")
            return max(0, min(100, int(progress))) if isinstance(progress, (int, float)) else None
    return None


def job_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A list row (`view=summary`): no stages or PRD, the prompt cut to PROMPT_SUMMARY_CHARS. The stages are
    decoded only for a job with a current stage (most rows have none)."""
    current = row["current_stage"]
    return {
        "id": row["id"],
        "title": row["title"],
        "initial_prompt": row["prompt_head"],
        "status": row["status"],
        "current_stage": row["current_stage"],
        "stage_progress": None if current is None else stage_progress(current, stages(row)),
        "app_id": row["app_id"],
        "created_at": api_time(row["created_at"]),
        "updated_at": api_time(row["updated_at"]),
    }


class Rendered:
    """Row tuple (from `rawrows.JobRows`) -> its representation, remembered by the whole row.

    A representation is a function of the row's values alone, so a row read again with the same values (a
    dashboard asking for its page again) is rendered once: rendering was a fifth of a 50-job page's CPU
    time (timestamps, stages, two dicts per row). Any change to a job gives a new row and a new entry, so
    nothing is ever stale. Bounded by rows (`LIMIT`) and by the characters of the rows' text (`CHARS`: a
    user's 20,000-character prompts must not hold hundreds of MB); past either, all are dropped, and a row
    over `CHARS // 64` is rendered each time and never kept. A representation is shared by every request
    that reads it, so it is only ever read (rendered), like the decoded stages. Reads take no lock (a dict
    lookup is atomic in CPython); adding a row does."""

    LIMIT, CHARS = 4096, 4_000_000

    def __init__(self, columns: tuple[str, ...], render: Any) -> None:
        self.columns, self.render = columns, render
        self._rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._chars = 0
        self._lock = threading.Lock()

    def __call__(self, row: tuple[Any, ...]) -> dict[str, Any]:
        known = self._rows.get(row)
        if known is None:
            known = self.render(dict(zip(self.columns, row, strict=True)))
            self._keep(row, known)
        return known

    def _keep(self, row: tuple[Any, ...], shown: dict[str, Any]) -> None:
        chars = sum(len(value) for value in row if isinstance(value, str))
        if chars > self.CHARS // 64:
            return
        with self._lock:
            if len(self._rows) >= self.LIMIT or self._chars + chars > self.CHARS:
                self._rows.clear()
                self._chars = 0
            if row not in self._rows:
                self._rows[row] = shown
                self._chars += chars


rendered_job, rendered_summary = Rendered(FULL_COLUMNS, job_dict), Rendered(SUMMARY_COLUMNS, job_summary)


class JobSerializer(serializers.BaseSerializer):
    """Read-only: renders a row from `job_rows(...)` (a dict) or `rawrows.JobRows` (a tuple)."""

    def to_representation(self, instance: dict[str, Any] | tuple[Any, ...]) -> dict[str, Any]:
        return rendered_job(instance) if isinstance(instance, tuple) else job_dict(instance)


class JobSummarySerializer(serializers.BaseSerializer):
    """Read-only: renders a row from `job_rows(..., summary=True)` or `rawrows.JobRows` (summary)."""

    def to_representation(self, instance: dict[str, Any] | tuple[Any, ...]) -> dict[str, Any]:
        return rendered_summary(instance) if isinstance(instance, tuple) else job_summary(instance)


class PromptSerializer(serializers.Serializer):
    """The only writable field of a job."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"initial_prompt": StrictCharField(max_length=settings.MAX_PROMPT_LENGTH)}


class JobMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobMessage
        fields = ["id", "job", "kind", "role", "content", "data", "created_at"]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    job = IdField(min_value=1, max_value=2**63 - 1)
    role = serializers.ChoiceField(choices=JobMessage.ROLES, default="user")
    kind = serializers.ChoiceField(choices=JobMessage.KINDS, default="chat")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["content"] = StrictCharField(max_length=settings.MAX_PROMPT_LENGTH)
        return fields


class FloodSerializer(serializers.Serializer):
    rate = serializers.IntegerField(min_value=1, max_value=5000)
    seconds = serializers.FloatField(min_value=0.1, max_value=60.0)


class AppSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = App
        fields = ["id", "job", "name", "description", "preview_url", "file_count", "created_at"]
        read_only_fields = fields


class AppSerializer(serializers.ModelSerializer):
    class Meta:
        model = App
        fields = [*AppSummarySerializer.Meta.fields, "files", "architecture"]
        read_only_fields = fields
