"""Typed payloads of the app-builder API (see docs/api.md); those a start reads are in records.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base: tolerant of extra fields the server may add, immutable once parsed."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class Stage(Model):
    name: str
    status: str = "pending"
    progress: int = 0


class Job(Model):
    id: int
    title: str = ""
    initial_prompt: str
    status: str
    current_stage: str | None = None
    stages: list[Stage] = Field(default_factory=list)
    prd: str | None = None
    app_id: int | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def is_collecting(self) -> bool:
        return self.status == "collecting"


class JobPage(Model):
    count: int
    results: list[Job]


class JobMessage(Model):
    id: int
    job: int
    kind: str = "chat"
    role: str = "agent"
    content: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None


class AppFile(Model):
    path: str
    language: str = ""
    content: str = ""


class Component(Model):
    id: str
    name: str
    kind: str = ""
    description: str = ""


class Link(Model):
    source: str
    target: str
    label: str = ""


class Architecture(Model):
    components: list[Component] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)


class AppSummary(Model):
    id: int
    job: int
    name: str
    description: str = ""
    preview_url: str = ""
    file_count: int = 0
    created_at: datetime | None = None


class App(AppSummary):
    files: list[AppFile] = Field(default_factory=list)
    architecture: Architecture = Field(default_factory=Architecture)


class Purged(Model):
    deleted: int
