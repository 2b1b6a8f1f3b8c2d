"""Live build and dashboard against servers that spell frames differently (issue 12): a rewriting proxy in
front of the real reference server. Both screens reach the server's final state, with every chat line once
and a REST call count the test bounds; unreadable frames show one quiet hint, never a toast per frame."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from tests.support.live_server import LiveServer
from tests.support.respell import VARIANTS
from tests.support.rewrite_proxy import RewriteProxy
from tests.tui.harness import HostApp, login, wait_for
from tui.app import AppBuilderApp
from tui.screens.dashboard import NEWEST_PAGE, DashboardScreen
from tui.screens.live_build import LiveBuildScreen
from tui.services.events import FALLBACK_HINT
from tui.services.socket import CATCH_UP_GAP
from tui.widgets.chat_log import ChatLog
from tui.widgets.connection import FALLBACK_LABEL, ConnectionIndicator

SIZE = (120, 40)
_names = itertools.count(1)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    """One fast server per dialect, shared by this module's live build tests."""
    made = {dialect: LiveServer(db_path=tmp_path_factory.mktemp(dialect) / "db.sqlite3", dialect=dialect,
                                speed=0.02).start() for dialect in ("documented", "legacy")}
    yield made
    for server in made.values():
        server.stop()


@pytest.fixture
async def behind_proxy(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """`await behind_proxy(server, variant)`: (proxy, logged-in ApiClient; every call goes through it)."""
    opened: list[tuple[RewriteProxy, Any]] = []

    async def make(server: LiveServer, variant: str) -> tuple[RewriteProxy, Any]:
        proxy = await RewriteProxy(server.port, VARIANTS[variant].rewrite).start()
        name = f"anyserver{next(_names)}_{id(proxy)}"
        server.register(name)
        client = await login(proxy.url, tmp_path / f"t{len(opened)}", name, "pass-word-123")
        opened.append((proxy, client))
        return proxy, client

    yield make
    for proxy, client in opened:
        await client.aclose()
        await proxy.stop()


def toasts(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
async def test_live_build_reaches_the_final_state(variant: str, servers: dict[str, LiveServer],
                                                  behind_proxy: Any) -> None:
    readable = VARIANTS[variant].readable
    proxy, api = await behind_proxy(servers[VARIANTS[variant].dialect], variant)
    job = await api.create_job("A weather board")
    app = HostApp(lambda: LiveBuildScreen(job.id), api)
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, LiveBuildScreen)
        log = screen.query_one(ChatLog)
        await wait_for(pilot, lambda: screen.status == "collecting" and screen.connection == "live"
                       and any(line.role == "agent" for line in log.entries), what="first question, live")
        chat_input = screen.query_one("#chat-input", Input)
        chat_input.focus()
        await pilot.press(*"Families", "enter")
        await wait_for(pilot, lambda: [line.role for line in log.entries if line.message_id][-2:]
                       == ["user", "agent"], what="echo and the next question")
        await pilot.press("escape", "g")
        await wait_for(pilot, lambda: screen.status == "done" and screen.app_ready is not None
                       and screen.app_ready[1] != "", timeout=60, what="done, app named")
        elapsed = loop.time() - began

        def rest() -> tuple[list[str], list[str]]:
            return proxy.rest_calls("/api/job-messages/"), proxy.rest_calls(f"/api/jobs/{job.id}/")

        await wait_for(pilot, lambda: screen.socket.caught_up and len(rest()[0]) == len(rest()[1]),
                       what="no catch-up pending or half done")  # a trailing one may still run
        label = str(screen.query_one("#conn-state", Static).render())
        calls = rest()
        messages = await api.list_messages(job.id)

        shown = [line.message_id for line in log.entries if line.message_id is not None]
        chat_ids = [m.id for m in messages if m.kind != "step"]
        assert len(shown) == len(set(shown)), "a line shown twice"
        assert [i for i in shown if i in set(chat_ids)] == chat_ids, "every chat line once, in order"
        assert set(shown) <= {m.id for m in messages}  # and the build log's step texts in between
        assert screen.app_ready[0] == (await api.get_job(job.id)).app_id
        assert not [t for t in toasts(app) if "Ignored" in t or "understood" in t], toasts(app)
        hints = [line.text for line in log.entries if line.text == FALLBACK_HINT]
        if readable:
            assert (len(calls[0]), len(calls[1]), hints) == (1, 1, []), "readable frames cost no REST call"
            assert label == "● live"
        else:
            catch_ups = len(calls[1]) - 1  # the screen's own load is the first
            assert hints == [FALLBACK_HINT] and label == FALLBACK_LABEL
            assert 1 <= catch_ups == len(calls[0]) - 1 == screen.socket.catch_ups
            assert catch_ups <= min(proxy.frames_in, 2 + elapsed / CATCH_UP_GAP), (catch_ups, elapsed)


@pytest.mark.parametrize("variant", ["nested-payload-string-ids", "no-message-id", "opaque"])
async def test_dashboard_row_reaches_done(variant: str, make_server: Callable[..., LiveServer],
                                          behind_proxy: Any) -> None:
    server = make_server(dialect=VARIANTS[variant].dialect, speed=0.15)
    proxy, client = await behind_proxy(server, variant)
    job = await client.create_job("A kanban board")
    await client.start_build(job.id)
    app = AppBuilderApp(client)
    began = asyncio.get_running_loop().time()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "ready",
                       what="dashboard ready")
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        await wait_for(pilot, lambda: dash.table.get_cell(job.id, "status") == "done"
                       and dash.watched == {}, timeout=60, what="row done, socket closed")
        elapsed = asyncio.get_running_loop().time() - began
        indicator = dash.query_one(ConnectionIndicator)

        assert dash.job_by_id(job.id).app_id == (await client.get_job(job.id)).app_id
        loads = [call for call in proxy.rest_calls("/api/jobs/?") if f"limit={NEWEST_PAGE}&" not in call
                 and "pagination=cursor" not in call]  # newest-page checks, and the load's rest, aside
        assert len(loads) == 1, "the job list was reloaded instead of followed"
        rest = [call for call in proxy.rest_calls("/api/jobs/?") if "pagination=cursor" in call]
        assert len(rest) <= 2, rest  # a list of one job: the rest's first page from each end (the top's
        # and the bottom's, tui/services/list_walk.py), asked with the newest page, and nothing after
        assert not toasts(app)
        snapshots = proxy.rest_calls(f"/api/jobs/{job.id}/")[:-1]  # the last one is this test's own
        if VARIANTS[variant].readable:
            assert (len(proxy.rest_calls("/api/job-messages/")), snapshots) == (1, [])
            assert indicator.fallback == ""
        else:
            assert indicator.fallback == FALLBACK_HINT and str(indicator.render()) == FALLBACK_LABEL
            assert 1 <= len(snapshots) <= 2 + elapsed / CATCH_UP_GAP
