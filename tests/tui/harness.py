"""A minimal host app for the build/apps/profile screens, and a fixed-data fake client for snapshots.

Pilot tests use `HostApp` with the real ApiClient against the live reference server; only snapshot tests
use `FakeClient`/`FakeSocket` (fixed ids and timestamps, so the SVGs are deterministic).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from tui.messages import AuthLost, JobsChanged, OpenApp, OpenApps, OpenDashboard, OpenJob, OpenProfile
from tui.protocols import Client
from tui.services import (
    App as AppModel,
)
from tui.services import (
    AppFile,
    AppReadyEvent,
    AppSummary,
    Architecture,
    ChatEvent,
    Component,
    ConnectionEvent,
    Event,
    Job,
    JobMessage,
    JobPage,
    Link,
    NotFound,
    PrdEvent,
    ServerInfo,
    ServiceError,
    Session,
    Stage,
    StatusEvent,
    StepEvent,
    User,
)
from tui.services.connection import ConnectionState
from tui.services.records import JobSummary, JobSummaryPage
from tui.widgets.feedback import deliver

SIZES = [(120, 40), (80, 24)]  # every snapshot is taken at both sizes
NAV_TYPES = (OpenApp, OpenApps, OpenDashboard, OpenJob, OpenProfile, AuthLost, JobsChanged)


class HostApp(App[None]):
    """A `ScreenHost` (tui/protocols.py) like AppBuilderApp, without its router: records navigation."""

    CSS = "#host-base { content-align: center middle; height: 1fr; }"
    BINDINGS = [Binding("question_mark", "help", "Help"), Binding("q", "quit", "Quit")]  # as AppBuilderApp

    connection_state: reactive[ConnectionState] = reactive(ConnectionState.OFFLINE)

    def __init__(self, make_screen: Callable[[], Screen], client: Client, dev_mode: bool = False) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.client: Client = client
        self.dev_mode = dev_mode
        self.user: User | None = None
        self.server_info: ServerInfo | None = None
        self.clock: Callable[[], datetime] | None = None
        self.navigation: list[Message] = []
        self.ended_builds: list[tuple[int, str]] = []  # build_ended calls, for tests

    # ----- ScreenHost -------------------------------------------------------------------------------
    def show_connection(self, state: ConnectionState) -> None:
        self.connection_state = state

    def report(self, err: ServiceError) -> None:
        """As AppBuilderApp.report: a lost session becomes AuthLost (recorded), anything else a toast."""
        deliver(self, err)

    def purge_refused(self) -> str | None:
        return None if self.dev_mode else "Purge is only available in dev mode (--dev)."

    def build_ended(self, job_id: int, status: str) -> None:
        self.ended_builds.append((job_id, status))

    def make_client(self, server_url: str) -> Client:
        raise AssertionError("HostApp cannot switch servers (use AppBuilderApp for the login screen)")

    def compose(self) -> ComposeResult:
        yield Static("host", id="host-base")

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())

    def action_help(self) -> None:
        """The key shows in footers as in the real app; the help screen has its own tests there."""

    def on_open_app(self, message: OpenApp) -> None:
        self.navigation.append(message)

    def on_open_apps(self, message: OpenApps) -> None:
        self.navigation.append(message)

    def on_open_dashboard(self, message: OpenDashboard) -> None:
        self.navigation.append(message)

    def on_open_job(self, message: OpenJob) -> None:
        self.navigation.append(message)

    def on_open_profile(self, message: OpenProfile) -> None:
        self.navigation.append(message)

    def on_auth_lost(self, message: AuthLost) -> None:
        self.navigation.append(message)

    def on_jobs_changed(self, message: JobsChanged) -> None:
        self.navigation.append(message)


def capture_writes(app: App[Any]) -> list[str]:
    """What a running app writes to its terminal from now on (bell and OSC escapes included): the headless
    driver writes nowhere, so tests read escapes here."""
    driver = app._driver
    assert driver is not None, "capture_writes needs a running app (inside run_test)"
    written: list[str] = []
    original = driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    driver.write = write  # type: ignore[method-assign]
    return written


def describe(predicate: Callable[[], object]) -> str:
    """The predicate's own source line (`lambda: ...`), so a timeout says what it waited for."""
    try:
        return " ".join(inspect.getsource(predicate).split())
    except (OSError, TypeError):
        return repr(predicate)


async def wait_for(pilot: Any, predicate: Callable[[], object], timeout: float = 20.0,
                   what: str = "") -> None:
    """Bounded wait on screen state (no fixed sleeps); the timeout names what it waited for."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or describe(predicate)}")
        await pilot.pause(0.05)


# ----- fixed data for snapshots ------------------------------------------------------------------------
T0 = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
STAGE_NAMES = ("planning", "architecture", "coding", "testing", "deploy")
PRD = """# Todo app

## Goals
- Keep a list of tasks with due dates
- Works offline

## Non-goals
- Sharing between users
"""
LONG_COMMENT = ("every task of the signed-in user, newest first, with its due date, its reminders and the "
                "list it belongs to: the end of this line is only readable by scrolling sideways (END)")
FILES = [
    AppFile(path="README.md", language="markdown", content="# Todo app\n\nRun `make dev`.\n"),
    AppFile(path="backend/app.py", language="python",
            content='from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/tasks")\n'
                    'def tasks() -> list[dict]:\n    return []  # ' + LONG_COMMENT + '\n'),
    AppFile(path="backend/models.py", language="python", content="class Task:\n    title: str\n"),
    AppFile(path="frontend/index.html", language="html", content="<!doctype html>\n<h1>Todo</h1>\n"),
    AppFile(path="frontend/app.zz", language="klingon", content="qapla'\n"),
]
ARCH = Architecture(
    components=[Component(id="web", name="web", kind="frontend", description="Single page UI"),
                Component(id="api", name="api", kind="service", description="REST API"),
                Component(id="db", name="db", kind="database", description="SQLite")],
    links=[Link(source="web", target="api", label="HTTP"),
           Link(source="api", target="db", label="reads/writes")],
)


def make_job(status: str, stages: Iterable[tuple[str, str, int]] | None = None, prd: str | None = None,
             app_id: int | None = None) -> Job:
    stage_list = [Stage(name=n, status=s, progress=p) for n, s, p in (stages or [])] or [
        Stage(name=n) for n in STAGE_NAMES]
    return Job(id=7, title="A todo app with due dates", initial_prompt="A todo app with due dates",
               status=status, current_stage=None, stages=stage_list, prd=prd, app_id=app_id,
               created_at=T0, updated_at=T0)


COLLECTING_EVENTS: list[Event] = [
    ConnectionEvent(state="live"),
    ChatEvent(message_id=1, job_id=7, role="agent", text="Who will use this app?"),
    ChatEvent(message_id=2, job_id=7, role="user", text="Just me, on my laptop."),
    ChatEvent(message_id=3, job_id=7, role="agent", text="Which features matter most?"),
]
DONE_EVENTS: list[Event] = [
    *COLLECTING_EVENTS,
    StatusEvent(message_id=4, job_id=7, status="prd", text="Writing the PRD"),
    PrdEvent(message_id=5, job_id=7, prd=PRD),
    StatusEvent(message_id=6, job_id=7, status="building", text="Building"),
    *[StepEvent(message_id=7 + i, job_id=7, stage=name, stage_status="done", progress=100)
      for i, name in enumerate(STAGE_NAMES)],
    StatusEvent(message_id=12, job_id=7, status="done", text="Build done"),
    AppReadyEvent(message_id=13, job_id=7, app_id=3, name="todo-app", preview_url="https://preview.example/3"),
]


class FakeSocket:
    """Yields fixed events, then stays open (like a quiet live socket) until closed."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.closed = asyncio.Event()
        self.sent: list[str] = []

    async def __aiter__(self) -> AsyncIterator[Event]:
        for event in self.events:
            yield event
        await self.closed.wait()

    async def send_chat(self, text: str) -> None:
        self.sent.append(text)

    async def close(self) -> None:
        self.closed.set()


class UnusedClient:
    """Every `Client` method, failing the test when called: fakes override only what their screens use,
    and mypy checks each override against the protocol (tests/tui/test_protocols.py)."""

    server_url = "http://127.0.0.1:8000"
    on_auth_lost: Callable[[str], None] | None = None

    def unused(self, name: str) -> AssertionError:
        return AssertionError(f"{type(self).__name__}.{name} is not faked")

    @property
    def session(self) -> Session | None:
        raise self.unused("session")

    async def server_info(self) -> ServerInfo:
        raise self.unused("server_info")

    async def restore_session(self, meanwhile: Callable[[], object] | None = None) -> User | None:
        raise self.unused("restore_session")

    async def login(self, username: str, password: str) -> User:
        raise self.unused("login")

    async def register(self, username: str, password: str, email: str = "") -> User:
        raise self.unused("register")

    async def logout(self) -> None:
        raise self.unused("logout")

    async def me(self) -> User:
        raise self.unused("me")

    async def list_users(self) -> list[User]:
        raise self.unused("list_users")

    async def aclose(self) -> None:
        """Closing a fake is always fine."""

    def job_pages(self, first: int = 200, size: int = 1000) -> AsyncIterator[tuple[list[Job], int]]:
        raise self.unused("job_pages")

    async def list_jobs_page(self, limit: int, offset: int = 0, search: str | None = None,
                             status: str | None = None, ordering: str | None = None) -> JobPage:
        raise self.unused("list_jobs_page")

    async def list_job_summaries(self, limit: int, offset: int = 0,
                                 updated_after: datetime | None = None) -> JobSummaryPage:
        raise self.unused("list_job_summaries")

    def job_summary_pages(self, first: int = 200,
                          size: int = 1000) -> AsyncIterator[tuple[list[JobSummary], int]]:
        raise self.unused("job_summary_pages")

    async def changed_jobs(self, since: datetime, limit: int = 100) -> list[JobSummary]:
        raise self.unused("changed_jobs")

    async def create_job(self, prompt: str) -> Job:
        raise self.unused("create_job")

    async def get_job(self, job_id: int) -> Job:
        raise self.unused("get_job")

    async def update_prompt(self, job_id: int, prompt: str) -> Job:
        raise self.unused("update_prompt")

    async def delete_job(self, job_id: int) -> None:
        raise self.unused("delete_job")

    async def start_build(self, job_id: int) -> Job:
        raise self.unused("start_build")

    async def retry_job(self, job_id: int) -> Job:
        raise self.unused("retry_job")

    async def purge_jobs(self) -> int:
        raise self.unused("purge_jobs")

    async def list_messages(self, job_id: int, after: int | None = None) -> list[JobMessage]:
        raise self.unused("list_messages")

    async def create_message(self, job_id: int, content: str, role: str = "user",
                             kind: str = "chat") -> JobMessage:
        raise self.unused("create_message")

    async def delete_message(self, message_id: int) -> None:
        raise self.unused("delete_message")

    async def list_apps(self) -> list[AppSummary]:
        raise self.unused("list_apps")

    async def get_app(self, app_id: int) -> AppModel:
        raise self.unused("get_app")

    async def app_for_job(self, job_id: int) -> AppModel:
        raise self.unused("app_for_job")

    def ws_url(self, job_id: int) -> str:
        raise self.unused("ws_url")

    async def access_token(self) -> str:
        raise self.unused("access_token")

    async def refresh(self) -> None:
        raise self.unused("refresh")


class FakeClient(UnusedClient):
    """Fixed data; only what the snapshot screens call."""

    server_url = "http://127.0.0.1:8000"

    def __init__(self, job: Job | None = None, apps: list[AppSummary] | None = None,
                 staff: bool = False) -> None:
        self.job = job or make_job("collecting")
        self.user = User(id=1, username="admin" if staff else "ada", email="ada@example.com", is_staff=staff,
                         date_joined=T0)
        self.fixed_session = Session(server_url=self.server_url, username=self.user.username,
                                     access_expires_at=datetime(2026, 11, 24, 21, 5, tzinfo=UTC))
        self.apps = apps if apps is not None else [
            AppSummary(id=3, job=7, name="todo-app", description="Todos", preview_url="https://preview.example/3",
                       file_count=len(FILES), created_at=T0),
            AppSummary(id=2, job=5, name="weather-board", description="Weather", file_count=4,
                       preview_url="https://preview.example/2",
                       created_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ]

    @property
    def session(self) -> Session | None:
        return self.fixed_session

    async def get_job(self, job_id: int) -> Job:
        return self.job

    async def list_apps(self) -> list[AppSummary]:
        return self.apps

    async def get_app(self, app_id: int) -> AppModel:
        for summary in self.apps:
            if summary.id == app_id:
                return AppModel(**summary.model_dump(), files=FILES, architecture=ARCH)
        raise NotFound()

    async def me(self) -> User:
        return self.user

    async def list_users(self) -> list[User]:
        return [self.user, User(id=2, username="bob", email="bob@example.com", date_joined=T0)]


# ----- real-server helpers for pilot tests --------------------------------------------------------------
async def login(server_url: str, token_dir: Any, username: str, password: str) -> Any:
    """A real ApiClient, logged in, with its token store under `token_dir` (a tmp_path)."""
    from tui.services.client import ApiClient
    from tui.services.tokens import TokenStore

    client = ApiClient(server_url, token_store=TokenStore(token_dir))
    await client.login(username, password)
    return client


async def finished_job(client: Any, prompt: str = "A todo app with due dates", timeout: float = 30.0) -> Job:
    """Create a job, start its build and wait (bounded) until the server says it is done."""
    job = await client.create_job(prompt)
    await client.start_build(job.id)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while job.status not in ("done", "failed") or job.app_id is None:
        if loop.time() > deadline:
            raise AssertionError(f"job {job.id} not done in {timeout}s (status {job.status})")
        await asyncio.sleep(0.05)
        job = await client.get_job(job.id)
    return job


class ScriptedSocket:
    """A socket the test drives: `push(event)` delivers, `end()` stops the iterator."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self.sent: list[str] = []
        self.closed = False

    def push(self, *events: Event) -> None:
        for event in events:
            self.queue.put_nowait(event)

    def end(self) -> None:
        self.queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while (event := await self.queue.get()) is not None:
            yield event

    async def send_chat(self, text: str) -> None:
        self.sent.append(text)

    async def close(self) -> None:
        self.closed = True


def scripted_live_build(job: Job, dev_mode: bool = False) -> tuple[HostApp, ScriptedSocket]:
    """A Live build screen for job 7 over a fake client holding `job`, its socket scripted by the test."""
    from tui.screens.live_build import LiveBuildScreen

    socket = ScriptedSocket()
    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket), FakeClient(job),
                  dev_mode=dev_mode)
    return app, socket


async def live_build_started(pilot: Any) -> Any:
    """The Live build screen on top, once it has opened its (scripted) socket."""
    from tui.screens.live_build import LiveBuildScreen

    screen = pilot.app.screen
    await wait_for(pilot, lambda: isinstance(screen, LiveBuildScreen) and screen.socket is not None,
                   what="live build started")
    return screen
