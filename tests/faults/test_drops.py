"""The socket dropped 100 times in a row during a build (a TCP proxy cuts every connection): JobSocket still
delivers every message exactly once, in order, equal to the server's own list."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from tests.services.test_socket_live import FAST, assert_ids_exact, rest_ids
from tests.support.live_server import LiveServer
from tests.support.tcp_proxy import TcpProxy
from tui.services import AppReadyEvent, ConnectionEvent, JobEvent, JobSocket
from tui.services.client import ApiClient
from tui.services.tokens import TokenStore

DROPS = 100


async def test_hundred_drops_during_a_build_lose_and_repeat_nothing(make_server: Callable[..., LiveServer],
                                                                    tmp_path: Path) -> None:
    server = make_server(speed=0.4)
    server.register("dropper")
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        client = ApiClient(proxy.url, token_store=TokenStore(tmp_path))
        await client.login("dropper", "pass-word-123")
        job = await client.create_job("A bird watching log")
        await client.start_build(job.id)
        socket = JobSocket(client, job.id, backoff=FAST)
        events: list[object] = []
        done = asyncio.Event()

        async def read() -> None:
            async for event in socket:
                events.append(event)
                if isinstance(event, AppReadyEvent):
                    done.set()

        reader = asyncio.create_task(read())
        drops = 0
        while drops < DROPS:
            live_count = sum(isinstance(e, ConnectionEvent) and e.state == "live" for e in events)
            if live_count > drops:  # connected again since the last cut: cut it
                await proxy.drop_all()
                drops += 1
            await asyncio.sleep(0.01)
        building_after_drops = not done.is_set()

        def lives() -> int:
            return sum(isinstance(e, ConnectionEvent) and e.state == "live" for e in events)

        async def settled() -> None:
            while lives() < DROPS + 1 or not done.is_set():
                await asyncio.sleep(0.02)

        await asyncio.wait_for(settled(), timeout=60)
        await socket.close()
        await reader

        assert building_after_drops, "the build ended before the drops did: make the pipeline slower"
        ids = [e.message_id for e in events if isinstance(e, JobEvent)]
        assert_ids_exact(ids, await rest_ids(client, job.id))
        await client.aclose()
