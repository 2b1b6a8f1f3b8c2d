"""The dashboard's rows before Textual (issue 14, cold start to rows): the frame written by
tui/early_splash.py says what the dashboard's table says, at the same columns; no server text reaches the
terminal as a control sequence; and the app draws nothing over it until its dashboard has the same rows."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Static

from tests.support.hostile import TITLE, TITLE_SHOWN
from tests.support.live_server import LiveServer
from tests.tui.conftest import real_client, screen_name, until
from tests.tui.test_start_requests import saved_session
from tui import job_rows
from tui.app import AppBuilderApp
from tui.early_splash import ENTER, EarlySplash, rows_frame
from tui.screens.dashboard import DashboardScreen
from tui.services import ServerUnavailable, ServiceError
from tui.services.records import JobSummary, User
from tui.services.tokens import StoredTokens, TokenStore
from tui.start_requests import StartRequests
from tui.widgets.jobs_table import JobsTable

OURS = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # the frame's own CSI sequences: position, SGR, modes, clear
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def job(job_id: int, title: str, minutes_ago: int, status: str = "done",
        stage: str | None = None) -> JobSummary:
    moment = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    return JobSummary.parse({"id": job_id, "title": title, "initial_prompt": "a prompt", "status": status,
                             "current_stage": stage, "created_at": moment, "updated_at": moment})


def screen_of(frame: str, columns: int, lines: int) -> list[str]:
    """The text a terminal shows for a frame made of cursor moves, SGR and the ENTER sequence."""
    assert frame.startswith(ENTER)
    screen = [[" "] * columns for _ in range(lines)]
    y = x = 0
    for token in re.split(r"(\x1b\[[0-9;?]*[A-Za-z])", frame[len(ENTER):]):
        move = re.fullmatch(r"\x1b\[(\d+);(\d+)H", token)
        if move:
            y, x = int(move[1]) - 1, int(move[2]) - 1
        elif token.startswith("\x1b"):
            assert token.endswith("m"), f"unexpected sequence {token!r}"
        else:
            for char in token:
                screen[y][x] = char
                x += 1
    return ["".join(row).rstrip() for row in screen]


def test_rows_sorted_as_the_dashboard_sorts_them_and_cut_to_the_terminal() -> None:
    jobs = [job(n, f"Project {n}", minutes_ago=n) for n in (5, 1, 30, 2)]  # the server's order: any
    shown = screen_of(rows_frame(80, 6, "appbuilder · projects · ada @ http://x", jobs, 4, NOW), 80, 6)
    assert shown[0] == " appbuilder · projects · ada @ http://x"
    assert shown[1].split() == ["#", "title", "status", "stage", "updated", "▼"]
    assert [line.split()[0] for line in shown[2:4]] == ["#1", "#2"]  # newest first; room for two rows
    assert shown[4] == " 4 of 4 projects" and shown[5] == ""  # no footer before Textual


def test_a_partial_first_page_says_the_list_is_still_loading() -> None:
    shown = screen_of(rows_frame(100, 30, "h", [job(1, "One", 1)], 1200, NOW), 100, 30)
    assert shown[28] == " " + job_rows.loading_text(1, 1, 1200)


def test_server_text_reaches_the_terminal_without_controls() -> None:
    hostile = [job(1, TITLE, 1, status="done\x1b[5m", stage="deploy\x07\x1b]2;x\x07")]
    frame = rows_frame(120, 10, job_rows.heading("ada\x1b[2J", "http://x"), hostile, 1, NOW)
    text = OURS.sub("", frame)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)
    assert TITLE_SHOWN in text and "ada[2J @ http://x" in text
    assert "done[5m" in text and "deploy]2;x" in text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_frame_says_what_the_dashboard_draws(live_server: LiveServer, fresh_user: dict,
                                                       token_dir: Path, size: tuple[int, int]) -> None:
    titles = [f"A {word} tracker with a title long enough to be cut at eighty columns" for word in
              ("bee", "otter", "newt")]
    client = await saved_session(live_server, fresh_user, token_dir, *titles)
    app = AppBuilderApp(client, start=StartRequests(client))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="the dashboard")
        table = app.screen.query_one(JobsTable)
        await until(pilot, lambda: table.row_count == 3, what="three rows")
        jobs = [table.jobs[job_id] for job_id in table.ids]
        heading = str(app.screen.query_one("#dash-title", Static).render())
        drawn = [table.render_line(y).text for y in range(4)]
        state = str(app.screen.query_one("#dash-state", Static).render())
        now = datetime.now(UTC)
    await client.aclose()
    shown = screen_of(rows_frame(*size, heading, jobs, 3, now), *size)
    assert shown[0] == " " + heading
    assert shown[1:5] == [line.rstrip() for line in drawn]
    assert shown[size[1] - 2] == " " + state


def recording(app: AppBuilderApp) -> list[int]:
    """How many rows the dashboard's table had each time the app let itself draw again (-1: no dashboard)."""
    rows: list[int] = []
    release = app.release_frames

    def release_frames() -> None:
        if app.held_frames is not None:
            screen = app.screen
            rows.append(screen.query_one(JobsTable).row_count if isinstance(screen, DashboardScreen) else -1)
        release()

    app.release_frames = release_frames  # type: ignore[method-assign]
    return rows


async def app_after_early_rows(server: LiveServer, user: dict, token_dir: Path, title: str
                               ) -> tuple[Any, AppBuilderApp]:
    """(client, app) as `run_tui` makes them once the early rows are on the terminal: the session and the
    first page (one job, `title`) answered before the app, which is told the rows are shown."""
    client = await saved_session(server, user, token_dir, title)
    start = StartRequests(client)
    await asyncio.wait_for(start.session, 10)
    assert start.first_page is not None
    await asyncio.wait_for(start.first_page.task, 10)
    return client, AppBuilderApp(client, start=start, early_rows=True)


async def test_frames_are_held_until_the_dashboard_has_the_rows(live_server: LiveServer, fresh_user: dict,
                                                                token_dir: Path) -> None:
    client, app = await app_after_early_rows(live_server, fresh_user, token_dir, "A tracker for moles")
    released = recording(app)
    assert app.held_frames is not None
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.held_frames is None, what="the frames to be released")
        assert released == [1], "released before the dashboard had its row"
    await client.aclose()


async def test_a_refused_session_releases_the_frames_for_the_login_form(
        live_server: LiveServer, fresh_user: dict, token_dir: Path) -> None:
    TokenStore(token_dir).save(StoredTokens(live_server.url, fresh_user["username"], "not-a-jwt", "nor-this"))
    client = real_client(live_server.url, token_dir)
    app = AppBuilderApp(client, start=StartRequests(client), early_rows=True)
    released = recording(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: screen_name(app) == "LoginScreen", what="the login form")
        assert app.held_frames is None and released == [-1]
    await client.aclose()


class Answers:
    """What `rows_when_ready` reads of the start-up requests: the session's answer and the first page."""

    def __init__(self, session: object, page: object | None) -> None:
        loop = asyncio.get_running_loop()
        self.session: asyncio.Future[object] = loop.create_future()
        self.session.set_result(session)
        self.first_page = None
        if page is not None:
            task: asyncio.Future[object] = loop.create_future()
            if isinstance(page, BaseException):
                task.set_exception(page)
            else:
                task.set_result(page)
            self.first_page = type("Page", (), {"task": task})()


@pytest.mark.parametrize("case", ["refused", "no session", "page failed", "rows"])
async def test_rows_only_for_a_confirmed_session_and_a_page(case: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    user = User.parse({"id": 1, "username": "ada", "email": "", "is_staff": False,
                       "date_joined": "2026-11-26T12:00:00Z"})
    page = ([job(1, "One", 1)], 1)
    session, first = {"refused": (ServiceError("refused"), None), "no session": (None, None),
                      "page failed": (user, ServerUnavailable("gone")), "rows": (user, page)}[case]
    splash = EarlySplash()
    painted: list[tuple[object, ...]] = []
    monkeypatch.setattr(splash, "paint_rows", lambda *args: painted.append(args))
    await splash.rows_when_ready(Answers(session, first), "http://x")  # type: ignore[arg-type]
    assert painted == ([("appbuilder · projects · ada @ http://x", *page)] if case == "rows" else [])


async def test_a_key_typed_on_the_early_rows_acts_on_the_dashboard(live_server: LiveServer, fresh_user: dict,
                                                                   token_dir: Path) -> None:
    client, app = await app_after_early_rows(live_server, fresh_user, token_dir, "A tracker for shrews")
    app.held_keys.append(events.Key("enter", "\r"))  # as typed before Textual's driver started
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: screen_name(app) == "LiveBuildScreen", what="the job opened by the Enter")
        await until(pilot, lambda: getattr(app.screen, "job", None) is not None, what="the job loaded")
    await client.aclose()
