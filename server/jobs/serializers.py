"""Job, JobMessage and App representations; Job is rendered by hand so 10,000 rows list quickly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from .models import App, Job, JobMessage
from .services import iso
from .validation import IdField, StrictCharField


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


class JobSerializer(serializers.BaseSerializer):
    def to_representation(self, instance: Job) -> dict[str, Any]:
        return job_dict(instance)


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
