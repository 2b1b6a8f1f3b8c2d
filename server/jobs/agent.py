"""The build agent: an `Agent` protocol and `ScriptedAgent`, a deterministic offline implementation.

Everything it returns is a pure function of the prompt and the answers, so a pipeline can be replayed
from any persisted step after a restart.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from string import Template
from typing import Protocol

from .models import STAGE_NAMES

QUESTION_COUNT = 3
STOPWORDS = set(
    """a an and app application are as at be build but by can create for from have i in into is it
its make me my need of on or our should so that the their them this to tool want we which will with would you
your web simple small site system page""".split()
)


@dataclass(frozen=True)
class AppSpec:
    name: str
    description: str
    files: list[dict[str, str]]
    architecture: dict[str, list[dict[str, str]]] = field(default_factory=dict)


class Agent(Protocol):
    """What the pipeline needs from an agent; all methods must be deterministic."""

    def question(self, prompt: str, index: int) -> str: ...

    def acknowledgement(self, early: bool) -> str: ...

    def prd(self, prompt: str, answers: list[str]) -> str: ...

    def stage_steps(self, stage: str, prompt: str) -> list[tuple[int, str]]: ...

    def build_app(self, prompt: str, answers: list[str]) -> AppSpec: ...


def _title(prompt: str) -> str:
    first = next((line.strip() for line in prompt.splitlines() if line.strip()), "Untitled app")
    return first[:60]


def _entity(prompt: str) -> str:
    """The most telling noun-ish word of the prompt, singular and capitalised ('Task', 'Recipe', ...)."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]{4,}", prompt) if w.lower() not in STOPWORDS]
    if not words:
        return "Item"
    word = max(words, key=lambda w: (words.count(w), -words.index(w)))
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word.capitalize()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "app"


class ScriptedAgent:
    """Asks three fixed questions, writes a PRD from the answers and generates a small FastAPI-style app."""

    QUESTIONS = (
        "Who will use {title}, and what is the one thing they must be able to do?",
        "Which data should it keep about each {entity} (fields, history, ownership)?",
        "Any constraints: platform, integrations, authentication or look and feel?",
    )

    def question(self, prompt: str, index: int) -> str:
        template = self.QUESTIONS[min(index, QUESTION_COUNT - 1)]
        return template.format(title=f'"{_title(prompt)}"', entity=_entity(prompt).lower())

    def acknowledgement(self, early: bool) -> str:
        if early:
            return "Starting now with what we have so far: writing the PRD."
        return "Thanks, that is everything I need. Writing the PRD now."

    def prd(self, prompt: str, answers: list[str]) -> str:
        title, entity = _title(prompt), _entity(prompt)
        padded = [*answers, *[""] * QUESTION_COUNT][:QUESTION_COUNT]
        users, data, constraints = (a.strip() or "Not specified; sensible defaults apply." for a in padded)
        features = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", prompt) if s.strip()][:6]
        bullets = "\n".join(f"- {f}" for f in features)
        return textwrap.dedent("""\
            # {title}

            ## Summary
            {summary}

            ## Users and goals
            {users}

            ## Data model
            - `{entity}`: id, title, notes, created_at, owner
            - {data}

            ## Features
            {bullets}
            - Create, list, update and delete {lower}s
            - Search and filter {lower}s

            ## Constraints
            {constraints}

            ## Delivery plan
            {stages}
            """).format(
            title=title,
            summary=" ".join(prompt.split())[:500],
            users=users,
            entity=entity,
            data=data,
            bullets=bullets,
            lower=entity.lower(),
            constraints=constraints,
            stages="\n".join(f"{i}. {s}" for i, s in enumerate(STAGE_NAMES, 1)),
        )

    def stage_steps(self, stage: str, prompt: str) -> list[tuple[int, str]]:
        entity = _entity(prompt).lower()
        texts = {
            "planning": ("Reading the PRD", "Splitting the work into tasks", "Estimating the tasks"),
            "architecture": ("Choosing components", f"Designing the {entity} data model", "Defining the API"),
            "coding": (f"Writing the {entity} model", "Writing the API routes", "Writing the tests"),
            "testing": ("Running unit tests", "Running API tests", "Checking edge cases"),
            "deploy": ("Building the image", "Provisioning the preview", "Running smoke checks"),
        }[stage]
        return [(25, texts[0]), (50, texts[1]), (75, texts[2]), (100, f"{stage.capitalize()} complete")]

    def build_app(self, prompt: str, answers: list[str]) -> AppSpec:
        title, entity = _title(prompt), _entity(prompt)
        lower, slug = entity.lower(), _slug(title)
        values = {"title": title, "title_repr": repr(title), "prompt": prompt.strip(), "entity": entity,
                  "lower": lower, "slug": slug}
        files = [
            {"path": "README.md", "language": "markdown", "content": _render(README, **values)},
            {"path": "app/__init__.py", "language": "python", "content": f'"""{title}."""\n'},
            {"path": "app/models.py", "language": "python", "content": _render(MODELS, **values)},
            {"path": "app/main.py", "language": "python", "content": _render(MAIN, **values)},
            {"path": "tests/test_app.py", "language": "python", "content": _render(TESTS, **values)},
            {"path": "pyproject.toml", "language": "toml", "content": _render(PYPROJECT, **values)},
        ]
        architecture = {
            "components": [
                {
                    "id": "ui",
                    "name": "Web UI",
                    "kind": "frontend",
                    "description": f"Lists and edits {lower}s",
                },
                {"id": "api", "name": "API", "kind": "service", "description": "FastAPI app in app/main.py"},
                {"id": "auth", "name": "Auth", "kind": "service", "description": "Token authentication"},
                {
                    "id": "db",
                    "name": "Database",
                    "kind": "database",
                    "description": f"{entity} table (SQLite)",
                },
            ],
            "links": [
                {"source": "ui", "target": "api", "label": "HTTPS / JSON"},
                {"source": "api", "target": "auth", "label": "verify token"},
                {"source": "api", "target": "db", "label": "SQL"},
            ],
        }
        return AppSpec(
            name=title, description=" ".join(prompt.split())[:200], files=files, architecture=architecture
        )


README = """\
# $title

$prompt

## Run

```sh
pip install -e .
uvicorn app.main:app --reload
```

## API

- `GET /${lower}s` list
- `POST /${lower}s` create
- `GET /${lower}s/{id}` read
- `DELETE /${lower}s/{id}` delete
"""

MODELS = '''\
"""Data model."""

from datetime import datetime, timezone

from pydantic import BaseModel, Field


class ${entity}In(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    notes: str = ""


class $entity(${entity}In):
    id: int
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
'''

MAIN = '''\
"""$title: HTTP API."""

from fastapi import FastAPI, HTTPException

from .models import $entity, ${entity}In

app = FastAPI(title=$title_repr)
_store: dict[int, $entity] = {}


@app.get("/${lower}s")
def list_${lower}s() -> list[$entity]:
    return list(_store.values())


@app.post("/${lower}s", status_code=201)
def create_$lower(data: ${entity}In) -> $entity:
    item = $entity(id=len(_store) + 1, **data.model_dump())
    _store[item.id] = item
    return item


@app.get("/${lower}s/{item_id}")
def get_$lower(item_id: int) -> $entity:
    if item_id not in _store:
        raise HTTPException(404, "$entity not found")
    return _store[item_id]


@app.delete("/${lower}s/{item_id}", status_code=204)
def delete_$lower(item_id: int) -> None:
    _store.pop(item_id, None)
'''

TESTS = """\
from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_create_and_list() -> None:
    r = client.post("/${lower}s", json={"title": "first"})
    assert r.status_code == 201
    assert client.get("/${lower}s").json()[0]["title"] == "first"


def test_missing_is_404() -> None:
    assert client.get("/${lower}s/999").status_code == 404
"""

PYPROJECT = """\
[project]
name = "$slug"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["fastapi>=0.110", "uvicorn>=0.29", "pydantic>=2"]

[project.optional-dependencies]
test = ["pytest>=8", "httpx>=0.27"]
"""


def _render(template: str, **values: str) -> str:
    return Template(template).substitute(values)


DEFAULT_AGENT: Agent = ScriptedAgent()
