"""The CLI prints a hostile server's words without terminal controls; `--json` stays exact and escaped.

Each command runs in-process with the real ApiClient over `httpx.MockTransport` (the scripted API of
tests/services/conftest.py), every string of the answers carrying escape sequences: OSC 52 (clipboard),
`ESC [2J` (clear), an 8-bit CSI, a BEL. What is printed must keep the words and lose every control character
but the newlines of multi-line text (a prompt, a PRD, a reply).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests.services.conftest import URL, FakeApi
from tests.support.hostile import ATTACK, CONTROLS, hostile, shown
from tui.cli import apps, jobs, messages, session
from tui.services import Conflict
from tui.services.client import ApiClient
from tui.services.tokens import TokenStore

STAMP = "2026-11-24T21:00:00Z"


def job(status: str) -> dict[str, Any]:
    return {"id": 7, "title": hostile("TITLE"), "initial_prompt": hostile("PROMPT") + "\nsecond line",
            "status": status, "current_stage": hostile("STAGE"),
            "stages": [{"name": hostile("SNAME"), "status": hostile("SSTAT"), "progress": 40}],
            "prd": hostile("PRD") + "\n## more", "app_id": 3, "created_at": STAMP, "updated_at": STAMP}


MESSAGE = {"id": 11, "job": 7, "kind": hostile("KIND"), "role": hostile("ROLE"),
           "content": hostile("CONTENT") + "\nmore", "created_at": STAMP}
APP = {"id": 3, "job": 7, "name": hostile("APPNAME"), "description": hostile("DESCR"),
       "preview_url": "https://x.example/" + hostile("URL"), "file_count": 1, "created_at": STAMP,
       "files": [{"path": f"{hostile('DIR')}/{hostile('FILE')}.py", "language": hostile("LANG"),
                  "content": f"print('{hostile('CODE')}')\n"}],
       "architecture": {"components": [{"id": "a", "name": hostile("COMP"), "kind": hostile("CKIND")}],
                        "links": []}}
USER = {"id": 1, "username": hostile("USER"), "email": "", "is_staff": False, "date_joined": STAMP}


def answer(body: Any, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body)


@pytest.fixture
async def client(tmp_path: Path) -> Any:
    api = FakeApi()
    api.routes.update({
        ("GET", "jobs/"): answer([job("building")]),
        ("POST", "jobs/"): answer(job("collecting"), 201),
        ("GET", "jobs/7/"): answer(job("collecting")),
        ("GET", "jobs/8/"): answer({**job(hostile("BUSY")), "id": 8}),
        ("PATCH", "jobs/7/"): answer(job("collecting")),
        ("POST", "jobs/7/start/"): answer(job(hostile("STARTED"))),
        ("POST", "jobs/7/retry/"): answer(job(hostile("RETRIED"))),
        ("GET", "job-messages/"): answer([MESSAGE]),
        ("POST", "job-messages/"): answer({**MESSAGE, "id": 10, "role": "user"}, 201),
        ("GET", "apps/"): answer([{k: v for k, v in APP.items() if k not in ("files", "architecture")}]),
        ("GET", "apps/3/"): answer(APP),
        ("GET", "meta/"): answer({"name": hostile("SERVER"), "version": "1"}),
    })
    c = ApiClient(URL, token_store=TokenStore(tmp_path / "config"), transport=httpx.MockTransport(api.handle))
    await c.login("ada", "secret-pass")
    api.routes[("POST", "auth/login/")] = lambda request: httpx.Response(200,
                                                                          json={**api.issue(), "user": USER})
    yield c
    await c.aclose()


def context(**args: Any) -> Any:
    defaults = {"json": False, "search": None, "status": None, "id": 7, "force": False}
    return SimpleNamespace(args=argparse.Namespace(**{**defaults, **args}), server_url=URL,
                           settings=SimpleNamespace(dev=True))


async def printed(capsys: pytest.CaptureFixture[str], handler: Callable[..., Awaitable[Any]], client: Any,
                  **args: Any) -> str:
    await handler(context(**args), client)
    out, err = capsys.readouterr()
    text = out + err
    leaked = sorted({f"U+{ord(c):04X}" for c in CONTROLS.findall(text)})
    assert not leaked, f"control characters printed: {leaked}\n{text!r}"
    return text


async def test_jobs_human_output_is_clean(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    listed = await printed(capsys, jobs.jobs_list, client)
    assert shown("TITLE") in listed and shown("STAGE")[:13] in listed and "STATUS" not in listed
    show = await printed(capsys, jobs.jobs_show, client)
    for word in ("TITLE", "STAGE", "SNAME", "SSTAT", "PROMPT", "PRD"):
        assert shown(word) in show, word
    assert f"{shown('PROMPT')}\nsecond line" in show and f"{shown('PRD')}\n## more" in show  # newlines kept
    assert shown("TITLE") in await printed(capsys, jobs.jobs_create, client, prompt="a prompt")
    assert shown("TITLE") in await printed(capsys, jobs.jobs_edit, client, prompt="a new prompt")
    assert shown("STARTED") in await printed(capsys, jobs.jobs_start, client)
    assert shown("RETRIED") in await printed(capsys, jobs.jobs_retry, client)
    chat = await printed(capsys, jobs.jobs_chat, client, text="hello")
    assert f"{shown('ROLE')}: {shown('CONTENT')}\nmore" in chat


async def test_a_refused_chat_names_the_status_without_controls(client: Any) -> None:
    with pytest.raises(Conflict) as refused:
        await jobs.jobs_chat(context(id=8, text="hello"), client)
    message = refused.value.message  # printed as is by tui/cli/main.py
    assert f"status is '{shown('BUSY')}'" in message and not CONTROLS.search(message)


async def test_apps_messages_and_login_output_is_clean(client: Any, capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    listed = await printed(capsys, apps.apps_list, client)
    assert shown("APPNAME") in listed and shown("URL") in listed
    show = await printed(capsys, apps.apps_show, client, id=3)
    for word in ("APPNAME", "DESCR", "URL", "DIR", "FILE", "LANG", "COMP", "CKIND"):
        assert shown(word) in show, word
    target = tmp_path / "out"
    exported = await printed(capsys, apps.apps_export, client, id=3, directory=target)
    assert f"{shown('DIR')}/{shown('FILE')}.py" in exported
    written = target / hostile("DIR") / f"{hostile('FILE')}.py"
    assert written.read_text() == APP["files"][0]["content"]  # the file itself is written as sent
    listing = await printed(capsys, messages.messages_list, client, job=7)
    assert shown("KIND")[:6] in listing and shown("ROLE")[:6] in listing and shown("CONTENT") in listing
    monkeypatch.setattr(session, "credentials", lambda args: ("ada", "secret-pass"))
    assert f"as {shown('USER')}." in await printed(capsys, session.login, client)


def strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings(value)]
    return [data] if isinstance(data, str) else []


@pytest.mark.parametrize(("handler", "app_id"), [(jobs.jobs_list, 7), (jobs.jobs_show, 7),
                                                 (apps.apps_list, 3), (apps.apps_show, 3),
                                                 (messages.messages_list, 7)])
async def test_json_output_is_exact_and_escaped(client: Any, capsys: pytest.CaptureFixture[str],
                                                handler: Callable[..., Awaitable[Any]], app_id: int) -> None:
    """`--json` prints the server's strings whole, every control character escaped by json.dumps."""
    out = await printed(capsys, handler, client, json=True, job=7, id=app_id)
    assert "\\u001b]52;c;ZXZpbA==\\u0007\\u001b[2J\\u009b31m" in out
    assert any(ATTACK in text for text in strings(json.loads(out)))  # exact once parsed
