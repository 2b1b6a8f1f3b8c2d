"""A loopback TCP proxy for tests and benchmarks: plain byte forwarding (HTTP and websockets), abrupt drops
on demand, and optionally a delay each way (a server far away)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from types import TracebackType

CHUNK = 65536


class TcpProxy:
    """Forwards `127.0.0.1:<port>` to `target_host:target_port`; `drop_all()` cuts every live pair.
    With `delay`, every chunk is held that many seconds each way and a connection opens after two of them
    (a round trip of `2 * delay`).

    ```python
    async with TcpProxy("127.0.0.1", server.port) as proxy:
        client = ApiClient(proxy.url, ...)
        await proxy.drop_all()
    ```
    """

    def __init__(self, target_host: str, target_port: int, delay: float = 0.0) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.delay = delay
        self.port = 0
        self.connections_accepted = 0
        self.drops = 0
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def live_connections(self) -> int:
        return len(self._pairs)

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self.drop_all()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drop_all(self) -> int:
        """Abruptly close every live connection pair (RST where possible); returns how many were cut."""
        pairs = list(self._pairs)
        self._pairs.clear()
        for client_writer, upstream_writer in pairs:
            _abort(client_writer)
            _abort(upstream_writer)
        self.drops += len(pairs)
        await asyncio.sleep(0)
        return len(pairs)

    async def __aenter__(self) -> TcpProxy:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # ----- internals ----------------------------------------------------------------------------
    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections_accepted += 1
        if self.delay:
            await asyncio.sleep(2 * self.delay)  # the TCP handshake's round trip
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self.target_host,
                                                                             self.target_port)
        except OSError:
            _abort(client_writer)
            return
        pair = (client_writer, upstream_writer)
        self._pairs.add(pair)
        pumps = [asyncio.create_task(_pump(client_reader, upstream_writer, pair, self.delay)),
                 asyncio.create_task(_pump(upstream_reader, client_writer, pair, self.delay))]
        self._tasks.update(pumps)
        try:
            # EOF is passed on (half-close); an error on either side aborts both.
            await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            self._tasks.difference_update(pumps)
            self._pairs.discard(pair)
            for writer in pair:
                with contextlib.suppress(Exception):
                    writer.close()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter], delay: float = 0.0) -> None:
    """Forward until EOF. With `delay`, each chunk leaves `delay` after it arrived, however many are on the
    way (a link's latency, not a sleep per chunk, which would also cap its bandwidth)."""
    on_the_way: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
    late = asyncio.create_task(_deliver(on_the_way, writer, pair)) if delay else None
    try:
        while data := await reader.read(CHUNK):
            if late is None:
                writer.write(data)
                await writer.drain()
            else:
                on_the_way.put_nowait((asyncio.get_running_loop().time() + delay, data))
        if late is not None:
            on_the_way.put_nowait((asyncio.get_running_loop().time() + delay, b""))
            await late
        elif writer.can_write_eof():
            writer.write_eof()
            await writer.drain()
    except (OSError, ConnectionError, RuntimeError):
        for each in pair:
            _abort(each)
    finally:
        if late is not None and not late.done():
            late.cancel()


async def _deliver(on_the_way: asyncio.Queue[tuple[float, bytes]], writer: asyncio.StreamWriter,
                   pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter]) -> None:
    """Write each chunk when its time comes; an empty chunk is the end of the stream."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            due, data = await on_the_way.get()
            await asyncio.sleep(max(0.0, due - loop.time()))
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                    await writer.drain()
                return
            writer.write(data)
            await writer.drain()
    except (OSError, ConnectionError, RuntimeError):
        for each in pair:
            _abort(each)


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0) rather than a graceful FIN: a crash-like drop."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(Exception):
        writer.transport.abort()
