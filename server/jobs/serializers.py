"""Job, JobMessage and App representations; jobs are rendered by hand so 10,000 rows list quickly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from .models import App, Job, JobMessage
from .services import iso
from .validation import IdField, StrictCharField

PROMPT_SUMMARY_CHARS = 300


def job_dict(job: Job) -> dict[str, Any]:
    if hasattr(job, "app_pk"):
        app_id = job.app_pk
    else:
        app_id = App.objects.filter(job=job).values_list("pk", flat=True).first()
    return {
        "id": job.pk,
        "title": job.title,
        "initial_prompt": job.initial_prompt,
        "status": job.status,
        "current_stage": job.current_stage,
        "stages": job.stages,
        "prd": job.prd,
        "app_id": app_id,
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
    }


def stage_progress(job: Job) -> int | None:
    """Progress (0-100) of the job's current stage; None when no stage is running."""
    if job.current_stage is None:
        return None
    for stage in job.stages or []:
        if isinstance(stage, dict) and stage.get("name") == job.current_stage:
            progress = stage.get("progress")
            return max(0, min(100, int(progress))) if isinstance(progress, (int, float)) else None
    return None


def job_summary(job: Job) -> dict[str, Any]:
    """A list row (`view=summary`): no stages or PRD, the prompt cut to PROMPT_SUMMARY_CHARS."""
    prompt = job.prompt_head if hasattr(job, "prompt_head") else job.initial_prompt
    return {
        "id": job.pk,
        "title": job.title,
        "initial_prompt": prompt[:PROMPT_SUMMARY_CHARS],
        "status": job.status,
        "current_stage": job.current_stage,
        "stage_progress": stage_progress(job),
        "app_id": job.app_pk,
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
    }


class JobSerializer(serializers.BaseSerializer):
    def to_representation(self, instance: Job) -> dict[str, Any]:
        return job_dict(instance)


class JobSummarySerializer(serializers.BaseSerializer):
    """Read-only; the queryset must come from `summary_queryset` (app id and prompt head annotated)."""

    def to_representation(self, instance: Job) -> dict[str, Any]:
        return job_summary(instance)


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
