"""Job (stages stored on the row), JobMessage (the persisted event stream) and App (generated files)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

STAGE_NAMES = ("planning", "architecture", "coding", "testing", "deploy")


def initial_stages() -> list[dict]:
    return [{"name": name, "status": "pending", "progress": 0} for name in STAGE_NAMES]


def derive_title(prompt: str) -> str:
    first = next((line.strip() for line in prompt.splitlines() if line.strip()), "Untitled")
    return first if len(first) <= 60 else first[:59].rstrip() + "…"


class Job(models.Model):
    class Status(models.TextChoices):
        COLLECTING = "collecting"
        PRD = "prd"
        BUILDING = "building"
        DONE = "done"
        FAILED = "failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(max_length=80)
    initial_prompt = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.COLLECTING)
    current_stage = models.CharField(max_length=32, null=True, blank=True)
    stages = models.JSONField(default=initial_stages)
    prd = models.TextField(null=True, blank=True)
    pipeline_step = models.PositiveIntegerField(default=0, help_text="pipeline steps already persisted")
    # The runner lease (server/jobs/lease.py): which server process runs the pipeline, and until when.
    lease_owner = models.CharField(max_length=100, null=True, blank=True)
    lease_expires = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The list's default order (-updated_at, then -id for ties) read straight from the index: without the
        # -id, SQLite sorted each page's rows again in a temporary B-tree.
        indexes = [models.Index(fields=["owner", "-updated_at", "-id"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.status})"


class JobMessage(models.Model):
    KINDS = ("chat", "status", "step", "prd", "app", "error")
    ROLES = ("user", "agent", "system")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=[(k, k) for k in KINDS], default="chat")
    role = models.CharField(max_length=16, choices=[(r, r) for r in ROLES], default="user")
    content = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "id"])]


class App(models.Model):
    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="app")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="apps")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    preview_url = models.CharField(max_length=300, blank=True, default="")
    files = models.JSONField(default=list)
    file_count = models.PositiveIntegerField(default=0)
    architecture = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
