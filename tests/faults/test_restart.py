"""Server killed and restarted mid-build while the Live build screen follows the job: the screen says
reconnecting, then live again, and its transcript ends with exactly the server's messages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tests.support.live_server import LiveServer
from tests.tui.harness import HostApp, login, wait_for
from tui.screens.live_build import LiveBuildScreen
from tui.widgets.chat_log import ChatLog
from tui.widgets.message_table import MessageTable


async def test_restart_mid_build_reconnects_and_resyncs(make_server: Callable[..., LiveServer],
                                                        tmp_path: Path) -> None:
    server = make_server(speed=0.15)
    server.register("restarter")
    api = await login(server.url, tmp_path, "restarter", "pass-word-123")
    job = await api.create_job("A plant watering planner")
    await api.start_build(job.id)
    app = HostApp(lambda: LiveBuildScreen(job.id), api, dev_mode=True)  # dev mode: every message listed
    states: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, LiveBuildScreen)
        original = screen.set_connection

        def noting(state: str, attempt: int = 0) -> None:
            states.append(state)
            original(state, attempt)

        screen.set_connection = noting  # type: ignore[method-assign]
        await wait_for(pilot, lambda: screen.status == "building" and screen.connection == "live",
                       what="building, live")
        await asyncio.to_thread(server.kill)
        await wait_for(pilot, lambda: screen.connection == "reconnecting", what="reconnecting shown")
        assert "reconnecting" in str(screen.query_one("#conn-state").render())
        await asyncio.to_thread(server.start)
        await wait_for(pilot, lambda: screen.connection == "live", what="live again")
        await wait_for(pilot, lambda: screen.status == "done" and screen.app_ready is not None, timeout=60,
                       what="build done")
        chat = [line.message_id for line in screen.query_one(ChatLog).entries if line.message_id is not None]
        listed = list(screen.query_one(MessageTable).message_ids)
    messages = await api.list_messages(job.id)
    await api.aclose()
    assert states.index("reconnecting") < len(states) - 1 - states[::-1].index("live")
    assert listed == [m.id for m in messages], "the Messages tab lost or repeated a message"
    chat_ids = [m.id for m in messages if m.kind != "step"]  # step texts show in between (the build log)
    assert len(chat) == len(set(chat)) and [i for i in chat if i in set(chat_ids)] == chat_ids, \
        "the transcript lost or repeated a message"
