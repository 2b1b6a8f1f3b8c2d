"""End to end in a real terminal (issue 11): the installed `appbuilder-tui` runs in tmux (own -L socket, no
user config) against the reference server; a build runs while the PRD tab shows, the chat is read after
switching back and again after resizing 120x40 -> 80x24. Assertions are on the screen text tmux holds,
which is what a person sees (the headless pilot cannot see a wrong wrap width)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

ANSWER = ("I want streaks, reminders and a weekly report for every member of the team, in words long "
          "enough to wrap past eighty columns")
NOTE = ("A note written while the PRD tab was showing: it must wrap at the chat's width when the chat "
        "shows again, not at the width of a hidden pane (end of note)")


class Terminal:
    """One tmux server (its own socket) running one command in a window of a given size."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.base = ["tmux", "-L", name, "-f", os.devnull]
        env_args = [f"{key}={value}" for key, value in env.items()]
        subprocess.run([*self.base, "new-session", "-d", "-s", "main", "-x", str(size[0]), "-y", str(size[1]),
                        "env", "-u", "COLUMNS", "-u", "LINES", *env_args, *command,  # the pty's size, not
                        ";", "set-option", "-g", "remain-on-exit", "on"],  # the one pytest may export
                       check=True)

    def screen(self) -> list[str]:
        out = subprocess.run([*self.base, "capture-pane", "-p", "-t", "main"], capture_output=True, text=True)
        return out.stdout.splitlines()

    def text(self) -> str:
        return "\n".join(self.screen())

    def wait(self, what: str, check: Callable[[list[str]], bool], timeout: float = 30.0) -> list[str]:
        """Poll the screen until `check` holds; the timeout names what it waited for and shows the screen."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen()
            if check(lines):
                return lines
            if time.monotonic() > deadline:
                shown = "\n".join(lines)
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; screen:\n{shown}")
            time.sleep(0.1)

    def wait_text(self, text: str, timeout: float = 30.0) -> list[str]:
        return self.wait(repr(text), lambda lines: text in "\n".join(lines), timeout)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "main", *keys], check=True)

    def type(self, text: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "main", "-l", text], check=True)

    def resize(self, width: int, height: int) -> None:
        subprocess.run([*self.base, "resize-window", "-t", "main", "-x", str(width), "-y", str(height)],
                       check=True)

    def dead(self) -> bool:
        out = subprocess.run([*self.base, "display-message", "-p", "-t", "main", "#{pane_dead}"],
                             capture_output=True, text=True)
        return out.stdout.strip() == "1"

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def tui_command() -> list[str]:
    script = Path(sys.executable).with_name("appbuilder-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def rows_of(lines: list[str], head: str, last_word: str) -> list[str]:
    """The screen rows of one chat line: from the row with `head` to the next row with `last_word`."""
    start = next(i for i, line in enumerate(lines) if head in line)
    end = next(i for i in range(start, len(lines)) if last_word in lines[i])
    return [line.rstrip() for line in lines[start:end + 1]]


def shows_whole(lines: list[str], role: str, text: str) -> bool:
    """The chat line `role: text` with every word, in order, across the rows it wraps to."""
    head = f"{role}: {' '.join(text.split()[:3])}"
    try:
        rows = rows_of(lines, head, text.split()[-1])
    except StopIteration:
        return False
    return " ".join(" ".join(rows).split()).split(f"{role}: ", 1)[1] == text


def answer_whole(lines: list[str]) -> bool:
    return shows_whole(lines, "you", ANSWER)


@pytest.fixture
def terminal_for(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    started: list[Terminal] = []

    def start(command: list[str], env: dict[str, str], size: tuple[int, int]) -> Terminal:
        terminal = Terminal(f"appbuilder-test-{os.getpid()}-{len(started)}", command, env, size)
        started.append(terminal)
        return terminal

    yield start
    for terminal in started:
        terminal.kill()


async def test_chat_reflows_in_a_real_terminal(make_server: Callable[..., LiveServer], tmp_path: Path,
                                               terminal_for: Callable[..., Terminal]) -> None:
    server = make_server(speed=0.3)
    server.register("pty-user")
    config = tmp_path / "config"
    client = await logged_in_client(server.url, config, "pty-user", "pass-word-123")  # the saved session
    job = await client.create_job("A habit tracker for my team")
    env = {"APPBUILDER_TUI_CONFIG_DIR": str(config), "APPBUILDER_TUI_LOG_DIR": str(tmp_path / "log"),
           "TERM": "xterm-256color", "COLORTERM": "truecolor", "PYTHONPATH": str(Path.cwd())}
    term = terminal_for([*tui_command(), "--server", server.url], env, (120, 40))

    term.wait_text("A habit tracker for my team")  # the dashboard, logged in from the saved session
    term.keys("Enter")
    term.wait_text(f"#{job.id}  A habit tracker for my team")
    term.wait_text("collecting")
    term.wait(f"the agent's first question and the chat input ({term.text()[-200:]!r})",
              lambda lines: any("agent:" in line for line in lines)
              and any("Message the agent" in line for line in lines))
    term.type(ANSWER)
    term.keys("Enter")
    term.wait("the answer shown whole", answer_whole)
    term.type("/go")
    term.keys("Enter")
    term.wait_text("Chat is closed")  # the build runs: the input is gone, keys go to the screen
    term.keys("2")
    term.wait_text("Summary", timeout=60)  # the PRD tab, while the build goes on behind it
    term.wait_text("App ready — press o to open", timeout=60)  # the build finished while the PRD showed
    await client.create_message(job.id, NOTE, role="agent")  # and one more long line arrives
    await client.aclose()
    term.keys("1")
    lines = term.wait("the chat tab with the note written while the PRD showed",
                      lambda ls: shows_whole(ls, "agent", NOTE))
    rows = rows_of(lines, "agent: A note", NOTE.split()[-1])
    assert len(rows[0]) > 100, f"a line that arrived on the PRD tab wraps narrower than 120 columns: {rows}"

    def note_rows(ls: list[str]) -> list[str]:
        return rows_of(ls, "agent: A note", NOTE.split()[-1])

    term.resize(80, 24)
    lines = term.wait("the note re-wrapped within 80 columns",
                      lambda ls: shows_whole(ls, "agent", NOTE)
                      and all(len(row) <= 80 for row in note_rows(ls)) and len(note_rows(ls)) >= 3)
    assert len(note_rows(lines)[0]) > 60, f"the chat wraps narrower than 80 columns: {note_rows(lines)}"
    term.wait(f"the footer fitted to 80 columns, Help and Quit whole ({term.text()[-100:]!r})",
              lambda ls: "Help" in ls[-1] and "Quit" in ls[-1])

    term.keys("q")
    term.wait("the app to exit on q", lambda _: term.dead(), timeout=20)


def test_closing_the_terminal_removes_the_demo_data(tmp_path: Path,
                                                    terminal_for: Callable[..., Terminal]) -> None:
    """Item 13: the demo says where its data is, and closing the terminal (SIGHUP) removes it."""
    env = {"TMPDIR": str(tmp_path), "APPBUILDER_TUI_LOG_DIR": str(tmp_path / "log"), "TERM": "xterm-256color",
           "PYTHONPATH": str(Path.cwd())}
    term = terminal_for([*tui_command(), "--demo"], env, (120, 40))
    term.wait_text("appbuilder · projects · demo @", timeout=90)
    demo_dirs = list(tmp_path.glob("appbuilder-demo-*"))
    assert len(demo_dirs) == 1 and (demo_dirs[0] / "db.sqlite3").exists()
    term.kill()  # the terminal goes away: the app gets SIGHUP
    deadline = time.monotonic() + 60  # the app, then the server (terminate, up to 10 s) stop first
    while demo_dirs[0].exists():
        assert time.monotonic() < deadline, f"timed out waiting for {demo_dirs[0]} to be removed after SIGHUP"
        time.sleep(0.1)


def test_a_demo_killed_outright_is_cleaned_by_the_next(tmp_path: Path) -> None:
    from tui.demo import OWNER_FILE, PREFIX, remove_stale

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale, running = tmp_path / f"{PREFIX}stale", tmp_path / f"{PREFIX}running"
    for directory, pid in ((stale, dead.pid), (running, os.getppid())):  # the parent: alive, not this one
        directory.mkdir()
        (directory / OWNER_FILE).write_text(str(pid))
    assert remove_stale(tmp_path) == [stale]
    assert not stale.exists() and running.exists()


def handing_editor(tmp_path: Path) -> tuple[Path, Path]:
    """An $EDITOR that shows it has the terminal (clears it, prints a banner), waits for the test's go file,
    then rewrites the prompt file, as a person editing in vi would."""
    go = tmp_path / "editor-go"
    script = tmp_path / "fake-editor"
    script.write_text(f'#!/bin/sh\nprintf "\\033[2J\\033[HFAKE EDITOR HAS THE TERMINAL\\n"\n'
                      f'while [ ! -e {go} ]; do sleep 0.05; done\n'
                      f'printf "A bakery app written in the editor\\nwith online orders\\n" > "$1"\n')
    script.chmod(0o755)
    return script, go


async def test_editor_hand_over_in_a_real_terminal(live_server: LiveServer, fresh_user: dict, tmp_path: Path,
                                                   terminal_for: Callable[..., Terminal]) -> None:
    """Issue 15: ctrl+o on New project suspends the TUI (App.suspend) and gives $EDITOR the real terminal;
    when it exits the TUI redraws itself with the edited prompt in the box."""
    config = tmp_path / "config"
    client = await logged_in_client(live_server.url, config, fresh_user["username"], fresh_user["password"])
    await client.aclose()
    editor, go = handing_editor(tmp_path)
    env = {"APPBUILDER_TUI_CONFIG_DIR": str(config), "APPBUILDER_TUI_LOG_DIR": str(tmp_path / "log"),
           "TERM": "xterm-256color", "PYTHONPATH": str(Path.cwd()), "VISUAL": str(editor),
           "EDITOR": str(editor)}
    term = terminal_for([*tui_command(), "--server", live_server.url], env, (80, 24))
    term.wait_text("No projects yet")  # the dashboard, logged in from the saved session
    term.keys("n")
    term.wait_text("^o $EDITOR")  # New project, with the editor key in its footer
    term.type("A todo app")
    term.keys("C-o")
    lines = term.wait("the editor to have the terminal",
                      lambda ls: any("FAKE EDITOR HAS THE TERMINAL" in line for line in ls))
    assert not any("A todo app" in line for line in lines), "the TUI drew over the editor's terminal"
    go.touch()
    lines = term.wait("the TUI redrawn with the edited prompt",
                      lambda ls: any("A bakery app written in the editor" in line for line in ls)
                      and any("with online orders" in line for line in ls))
    text = "\n".join(lines)
    assert "FAKE EDITOR HAS THE TERMINAL" not in text, f"the screen was not redrawn:\n{text}"
    assert "^o $EDITOR" in lines[-1], f"the New project footer is back:\n{text}"
    term.keys("Escape")
    term.wait_text("Discard this prompt?")  # the keyboard works again after the hand-over
