"""Typed payloads of the app-builder API (see docs/api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Model(BaseModel):
    """Base: tolerant of extra fields the server may add, immutable once parsed."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class User(Model):
    id: int
    username: str
    email: str = ""
    is_staff: bool = False
    date_joined: datetime | None = None


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


PROMPT_SUMMARY = 300  # characters of `initial_prompt` a list keeps (the server's `view=summary` cut)


class JobSummary(Model):
    """What a list shows of a job (`GET /api/jobs/?view=summary`): no PRD, no stages, the prompt cut short.

    Built from a full job too (servers that ignore `view=summary`): `stage_progress` is then computed from
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

    @model_validator(mode="before")
    @classmethod
    def from_full_job(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
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
            data["stage_progress"] = progress if isinstance(progress, int) else None
        return data

    @classmethod
    def of(cls, job: Job) -> JobSummary:
        """The summary of a full job already parsed (a socket snapshot, a job created here)."""
        return cls.model_validate(job.model_dump(exclude={"prd"}))


class JobSummaryPage(Model):
    """A page of summaries: `count` is missing on keyset (cursor) pages, `next` on servers without it."""

    count: int | None = None
    next: str | None = None
    results: list[JobSummary]


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


class ServerInfo(Model):
    name: str = "appbuilder"
    version: str = ""
    allow_job_purge: bool = False
    ws_dialect: str = "documented"
    max_prompt_length: int = 20000
    access_token_lifetime: float | None = None


class Session(Model):
    """What the profile screen may show about the session: never the tokens themselves."""

    server_url: str
    username: str
    access_expires_at: datetime | None = None
