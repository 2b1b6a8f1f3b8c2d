"""The cold-start benchmark's `--rtt MS`: the tests' loopback proxy (tests/support/tcp_proxy.py) holding every
chunk for half a round trip each way, run in a thread of its own so the benchmark can stay synchronous. The
start-up requests then cost what they cost over a real network (an SSH user's server is rarely on the same
machine), not ~1 ms of loopback."""

from __future__ import annotations

import asyncio
import threading

from tests.support.tcp_proxy import TcpProxy


class DelayProxy:
    """`with DelayProxy(target_port, rtt_ms) as proxy:` then connect to `proxy.url`."""

    def __init__(self, target_port: int, rtt_ms: float) -> None:
        self.proxy = TcpProxy("127.0.0.1", target_port, delay=rtt_ms / 2000)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return self.proxy.url

    def __enter__(self) -> DelayProxy:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self.loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
