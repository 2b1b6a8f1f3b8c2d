"""Issue 15: edit a prompt in $VISUAL/$EDITOR (ctrl+o) from New project and the prompt editor.

A fake editor script stands in for vi. What is not covered here: the real terminal hand-over by App.suspend
(the headless pilot has no terminal to hand over, so the pilot test replaces `suspend` with a no-op context).
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TextArea

from tests.support.live_server import LiveServer
from tests.tui.harness import HostApp, login, wait_for
from tui.screens.create_project import CreateProjectScreen
from tui.screens.prompt_editor import EditorFailed, PromptEditorScreen, editor_command, run_editor

SIZE = (120, 40)


def fake_editor(tmp_path: Path, body: str = "A bakery app\\nwith orders") -> Path:
    """A script that records the file's mode and first text, then rewrites the file, as an editor would."""
    script = tmp_path / "fake-editor"
    log = tmp_path / "editor.log"
    script.write_text(f'#!/bin/sh\nstat -c %a "$1" > {log}\ncat "$1" >> {log}\nprintf "{body}\\n" > "$1"\n')
    script.chmod(0o755)
    return script


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where run_editor's temp files go, so a test can see that none is left behind."""
    where = tmp_path / "tmp"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def test_round_trip_through_a_private_temp_file(tmp_path: Path, temp_dir: Path) -> None:
    script = fake_editor(tmp_path)
    assert run_editor("A todo app", [str(script)]) == "A bakery app\nwith orders"
    mode, seen = (tmp_path / "editor.log").read_text().split("\n", 1)
    assert mode == "600" and seen == "A todo app"
    assert list(temp_dir.iterdir()) == []


def test_temp_file_is_removed_and_failure_is_one_line(tmp_path: Path, temp_dir: Path) -> None:
    with pytest.raises(EditorFailed, match="exited with status 3"):
        run_editor("keep me", ["sh", "-c", "exit 3"])
    with pytest.raises(EditorFailed, match="Could not run the editor"):
        run_editor("keep me", [str(tmp_path / "no-such-editor")])
    assert list(temp_dir.iterdir()) == []


def test_editor_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    assert editor_command() == ["vi"]
    monkeypatch.setenv("EDITOR", "nano -w")
    assert editor_command() == ["nano", "-w"]
    monkeypatch.setenv("VISUAL", "code --wait")
    assert editor_command() == ["code", "--wait"]


@pytest.fixture
async def client(live_server: LiveServer, fresh_user: dict, tmp_path: Path) -> Any:
    api = await login(live_server.url, tmp_path / "tokens", fresh_user["username"], fresh_user["password"])
    yield api
    await api.aclose()


@pytest.mark.parametrize("screen_kind", ["create", "edit"])
async def test_ctrl_o_puts_the_edited_text_back(client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                screen_kind: str) -> None:
    monkeypatch.setenv("VISUAL", str(fake_editor(tmp_path)))

    async def save(text: str) -> None:
        await client.me()

    def make() -> Any:
        return CreateProjectScreen("A todo app") if screen_kind == "create" else PromptEditorScreen(
            "A todo app", save)

    app = HostApp(make, client)
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app, "suspend", contextlib.nullcontext)  # no terminal to hand over headless
        area = app.screen.query_one(TextArea)
        await wait_for(pilot, lambda: area.has_focus, what="prompt focused")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: area.text == "A bakery app\nwith orders", what="edited text back")
        assert area.has_focus


async def test_without_a_terminal_it_says_so(client: Any) -> None:
    app = HostApp(lambda: CreateProjectScreen("A todo app"), client)
    async with app.run_test(size=SIZE) as pilot:
        area = app.screen.query_one(TextArea)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: any("cannot run here" in n.message for n in app._notifications),
                       what="'cannot run here' notice")
        assert area.text == "A todo app"
