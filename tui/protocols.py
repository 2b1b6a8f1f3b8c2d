"""The typed seams between the layers: what screens need from the client, and from the app.

`ApiClient` (tui/services/client.py) implements `Client`; `AppBuilderApp` (tui/app.py) and the tests'
`HostApp` implement `ScreenHost`. Test fakes implement the client roles the screen under test uses
(tests/tui/test_protocols.py checks them, under mypy and at run time). A screen or widget reaches the app
through `host = AppHost()`: `self.host.client` is typed, and a host that does not implement the protocol
fails at once with its name, not later with an AttributeError.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # annotations only: the TUI's first frame must not wait for pydantic or websockets
    from textual.app import App as TextualApp

    from tui.services import records
    from tui.services.connection import ConnectionState
    from tui.services.errors import ServiceError
    from tui.services.models import App, AppSummary, Job, JobMessage, JobPage
    from tui.services.records import ServerInfo, Session, User


# ----- the client, by role ------------------------------------------------------------------------------
@runtime_checkable
class SessionClient(Protocol):
    """Log in, restore, log out; who is logged in (login screen, app start-up, profile)."""

    on_auth_lost: Callable[[str], None] | None

    @property
    def server_url(self) -> str: ...
    @property
    def session(self) -> Session | None: ...
    async def server_info(self) -> ServerInfo: ...
    async def restore_session(self, meanwhile: Callable[[], object] | None = None) -> User | None: ...
    async def login(self, username: str, password: str) -> User: ...
    async def register(self, username: str, password: str, email: str = "") -> User: ...
    async def logout(self) -> None: ...
    async def me(self) -> User: ...
    async def list_users(self) -> list[User]: ...
    async def aclose(self) -> None: ...


@runtime_checkable
class JobsClient(Protocol):
    """Jobs (dashboard, create project, live build)."""

    def job_pages(self, first: int = 200, size: int = 1000) -> AsyncIterator[tuple[list[Job], int]]: ...
    async def list_jobs_page(self, limit: int, offset: int = 0, search: str | None = None,
                             status: str | None = None, ordering: str | None = None) -> JobPage: ...
    async def list_job_summaries(self, limit: int, offset: int = 0,
                                 updated_after: datetime | None = None) -> records.JobSummaryPage: ...
    def job_summary_pages(self, first: int = 200,
                          size: int = 1000) -> AsyncIterator[tuple[list[records.JobSummary], int]]: ...
    async def changed_jobs(self, since: datetime, limit: int = 100) -> list[records.JobSummary]: ...
    async def create_job(self, prompt: str) -> Job: ...
    async def get_job(self, job_id: int) -> Job: ...
    async def update_prompt(self, job_id: int, prompt: str) -> Job: ...
    async def delete_job(self, job_id: int) -> None: ...
    async def start_build(self, job_id: int) -> Job: ...
    async def retry_job(self, job_id: int) -> Job: ...
    async def purge_jobs(self) -> int: ...


@runtime_checkable
class MessagesClient(Protocol):
    """A job's messages (live build, dev tools)."""

    async def list_messages(self, job_id: int, after: int | None = None) -> list[JobMessage]: ...
    async def create_message(self, job_id: int, content: str, role: str = "user",
                             kind: str = "chat") -> JobMessage: ...
    async def delete_message(self, message_id: int) -> None: ...


@runtime_checkable
class AppsClient(Protocol):
    """Generated apps (apps list, app detail, command palette)."""

    async def list_apps(self) -> list[AppSummary]: ...
    async def get_app(self, app_id: int) -> App: ...
    async def app_for_job(self, job_id: int) -> App: ...


@runtime_checkable
class LiveClient(Protocol):
    """What a job socket needs besides jobs and messages (`tui.services.socket.SocketClient`, restated here
    so this module does not import the socket)."""

    def ws_url(self, job_id: int) -> str: ...
    async def access_token(self) -> str: ...
    async def refresh(self) -> None: ...


@runtime_checkable
class Client(SessionClient, JobsClient, MessagesClient, AppsClient, LiveClient, Protocol):
    """Everything the TUI asks of the server: what `ApiClient` is."""


# ----- the app ------------------------------------------------------------------------------------------
@runtime_checkable
class ScreenHost(Protocol):
    """What screens and widgets need from the app besides Textual's own App."""

    dev_mode: bool  # --dev (or --demo): what the server allows is checked on use
    user: User | None  # a new object at every login
    server_info: ServerInfo | None
    clock: Callable[[], datetime] | None  # fixed in snapshot tests

    @property
    def client(self) -> Client: ...
    @property
    def connection_state(self) -> ConnectionState: ...
    def show_connection(self, state: ConnectionState) -> None:
        """The only way to change `connection_state`."""
    def report(self, err: ServiceError) -> None:
        """The one path for a service error: auth lost shows login, anything else a notification."""
    def purge_refused(self) -> str | None:
        """Why purge cannot run here, in words (None: it can)."""

    def build_ended(self, job_id: int, status: str) -> None:
        """A build ended while no Live build screen shows it: alert if the user opened it."""
    def make_client(self, server_url: str) -> Client:
        """A client for another server URL, sharing the token store."""


class HasApp(Protocol):
    @property
    def app(self) -> TextualApp[object]: ...


def host_of(node: HasApp) -> ScreenHost:
    """The app of a screen, widget or command provider, as a ScreenHost."""
    app = node.app
    if not isinstance(app, ScreenHost):
        raise TypeError(f"{type(app).__name__} does not implement ScreenHost (tui/protocols.py)")
    return app


class AppHost:
    """`host = AppHost()` in a screen, widget or command provider: `self.host` is its app as a ScreenHost
    (as `textual.getters.app` types `self.app`, for a protocol)."""

    def __get__(self, node: HasApp, owner: type | None = None) -> ScreenHost:
        return host_of(node)
