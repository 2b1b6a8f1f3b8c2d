"""Start-up requests (issue 14): `run_tui` begins the server info, session and first-page requests before
Textual is imported; the app's boot reads those answers instead of asking again, and shows a neutral splash
("connecting to …") until the session is known."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.support import waits
from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, real_client, screen_name, until
from tui.app import AppBuilderApp
from tui.config import Settings
from tui.services import ServiceError
from tui.services.tokens import StoredTokens, TokenStore
from tui.start_requests import StartRequests
from tui.widgets.connection import ConnectionIndicator
from tui.widgets.jobs_table import JobsTable

SIZE = (120, 40)


def splash(app: AppBuilderApp) -> str:
    return str(app.query_one("#splash", Static).render())


def counted(client: Any, name: str, gate: asyncio.Event | None = None) -> list[int]:
    """Count calls of the client's method `name` (held until `gate` is set, if given)."""
    calls: list[int] = []
    method = getattr(client, name)
    if inspect.isasyncgenfunction(method):
        def pages(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return method(*args, **kwargs)

        setattr(client, name, pages)
        return calls

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if gate is not None:
            await gate.wait()
        return await method(*args, **kwargs)

    setattr(client, name, wrapper)
    return calls


async def saved_session(server: LiveServer, user: dict, token_dir: Path, *titles: str) -> Any:
    """A new client on the user's saved session (as at start-up), after a login that made `titles`' jobs."""
    first = await logged_in_client(server.url, token_dir, user["username"], user["password"])
    for title in titles:
        await first.create_job(title)
    await first.aclose()
    return real_client(server.url, token_dir)


async def test_the_boot_reads_the_answers_begun_before_the_app(live_server: LiveServer, fresh_user: dict,
                                                               token_dir: Path) -> None:
    client = await saved_session(live_server, fresh_user, token_dir, "A start-up tracker for otters")
    sessions, infos, pages = (counted(client, name) for name in
                              ("restore_session", "server_info", "job_summary_pages"))
    start = StartRequests(client)
    await asyncio.wait_for(start.session, 10)  # answered before the app exists (Textual still importing)
    assert start.first_page is not None
    await asyncio.wait_for(start.first_page.task, 10)

    app = AppBuilderApp(client, settings=Settings(theme="nord"), start=start)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="the dashboard")
        table = app.screen.query_one(JobsTable)
        await until(pilot, lambda: table.row_count == 1, what="the job's row")
        assert (len(sessions), len(infos), len(pages)) == (1, 1, 1), "the boot asked again"
        assert app.server_info is not None and app.user is not None
        assert app.user.username == fresh_user["username"]
        assert app.theme == "nord"  # the settings are applied at mount
        assert app.start_requests is None  # taken by the boot
    await client.aclose()


async def test_neutral_splash_until_the_session_is_known(live_server: LiveServer, fresh_user: dict,
                                                         token_dir: Path) -> None:
    client = await saved_session(live_server, fresh_user, token_dir)
    gate = asyncio.Event()
    counted(client, "restore_session", gate)
    app = AppBuilderApp(client, start=StartRequests(client))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.server_info is not None, what="the server info")
        assert f"connecting to {live_server.url}" in splash(app)
        assert app.screen_stack[0].query(ConnectionIndicator)
        assert screen_name(app) not in ("LoginScreen", "DashboardScreen")
        gate.set()
        await until(pilot, lambda: screen_name(app) == "DashboardScreen", what="the dashboard")
        assert not any(type(s).__name__ == "LoginScreen" for s in app.screen_stack)
    await client.aclose()


async def test_the_first_page_travels_with_the_session_check(live_server: LiveServer, fresh_user: dict,
                                                             token_dir: Path) -> None:
    client = await saved_session(live_server, fresh_user, token_dir, "A start-up tracker for newts")
    confirm = asyncio.Event()
    counted(client, "me", confirm)  # the session check waits here until the page has come
    start = StartRequests(client)
    await waits.until(lambda: start.first_page is not None, "the first page to be asked", interval=0.01)
    assert start.first_page is not None
    jobs, total = await asyncio.wait_for(start.first_page.task, 10)  # answered before the session check
    assert not start.session.done() and total == 1 and jobs[0].title == "A start-up tracker for newts"
    confirm.set()
    user = await asyncio.wait_for(start.session, 10)
    assert user is not None and not isinstance(user, ServiceError) and start.first_page is not None
    await start.aclose()
    await client.aclose()


async def test_a_refused_session_drops_the_page_asked_with_it(live_server: LiveServer, fresh_user: dict,
                                                              token_dir: Path) -> None:
    TokenStore(token_dir).save(StoredTokens(live_server.url, fresh_user["username"], "not-a-jwt", "nor-this"))
    client = real_client(live_server.url, token_dir)
    lost: list[str] = []
    client.on_auth_lost = lost.append
    pages = counted(client, "job_summary_pages")
    start = StartRequests(client)
    assert await asyncio.wait_for(start.session, 10) is None  # the login form, no error
    assert len(pages) == 1, "the page was not asked with the session check"
    assert start.first_page is None and lost == []
    await start.aclose()
    await client.aclose()


class HangingClient:
    server_url = "http://127.0.0.1:9"

    def __init__(self) -> None:
        self.cancelled = 0

    async def hang(self) -> Any:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise

    async def server_info(self) -> Any:
        return await self.hang()

    async def restore_session(self, meanwhile: Any = None) -> Any:
        return await self.hang()


async def test_aclose_stops_requests_nobody_will_read() -> None:
    client = HangingClient()
    start = StartRequests(client)  # type: ignore[arg-type]
    await asyncio.sleep(0)  # both requests started
    await asyncio.wait_for(start.aclose(), 5)
    assert client.cancelled == 2 and start.session.cancelled()
