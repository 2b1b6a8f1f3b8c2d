"""A loopback proxy in front of the reference server that respells its socket frames (issue 12 tests).

REST passes through byte for byte, and every request line is recorded (`requests`), so a test counts the
REST calls a client made. `/ws/` connections are terminated here and re-opened to the server: client frames
pass unchanged, and each server frame that is a job message goes through `rewrite(frame) -> list of frames`
(a dict is sent as JSON, a str as is). Replies (`pong`, errors with no id) pass unchanged, and so do close
codes (4401, 4404). `inject(frames)` sends extra frames to every open socket.

```python
async with RewriteProxy(server.port, opaque) as proxy:
    client = ApiClient(proxy.url, ...)
```
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from types import TracebackType
from typing import Any

from websockets.asyncio.client import connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.support.tcp_proxy import _abort, _pump

Rewrite = Callable[[dict[str, Any]], list[Any]]
SENDABLE_CLOSE = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}


def unchanged(frame: dict[str, Any]) -> list[Any]:
    return [frame]


def is_reply(frame: dict[str, Any]) -> bool:
    kind = frame.get("kind", frame.get("type"))
    return kind == "pong" or (kind == "error" and frame.get("id", frame.get("messageId")) is None)


class RewriteProxy:
    """`http://127.0.0.1:<port>` in front of `127.0.0.1:<target_port>`; see the module docstring."""

    def __init__(self, target_port: int, rewrite: Rewrite = unchanged) -> None:
        self.target_port = target_port
        self.rewrite = rewrite
        self.port = 0
        self.requests: list[tuple[str, str]] = []  # (method, path with query), in order
        self.frames_in = 0  # job-message frames the server sent
        self.frames_out = 0  # frames sent on in their place
        self._front: asyncio.Server | None = None
        self._ws: Server | None = None
        self._sockets: set[ServerConnection] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rest_calls(self, prefix: str = "/api/", method: str = "GET") -> list[str]:
        return [path for m, path in self.requests if m == method and path.startswith(prefix)]

    async def start(self) -> RewriteProxy:
        self._ws = await serve(self._socket, "127.0.0.1", 0, compression=None)
        self._front = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._front.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._front is not None:
            self._front.close()
        if self._ws is not None:
            self._ws.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.wait_closed(), 5)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> RewriteProxy:
        return await self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    async def inject(self, frames: list[Any]) -> None:
        for ws in list(self._sockets):
            for frame in frames:
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    # ----- front door: /ws/ to the rewriting websocket server, the rest to the real server -------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, path = head.split(b" ", 2)[:2]
            port = self._ws_port if path.startswith(b"/ws/") else self.target_port
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            _abort(writer)
            self._tasks.discard(task)
            return
        pair = (writer, up_writer)
        if port == self.target_port:
            upstream = self._requests(head, reader, up_writer, pair)
        else:
            up_writer.write(head)
            upstream = _pump(reader, up_writer, pair)
        try:
            await asyncio.gather(upstream, _pump(up_reader, writer, pair), return_exceptions=True)
        finally:
            for each in pair:
                with contextlib.suppress(Exception):
                    each.close()
            self._tasks.discard(task)

    @property
    def _ws_port(self) -> int:
        assert self._ws is not None
        return self._ws.sockets[0].getsockname()[1]

    async def _requests(self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter]) -> None:
        """Forward HTTP/1.1 requests one at a time (head, then Content-Length bytes), recording each."""
        try:
            while True:
                method, path = head.decode("latin-1").split(" ", 2)[:2]
                self.requests.append((method, path))
                length = 0
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                writer.write(head + (await reader.readexactly(length) if length else b""))
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError, ValueError):
            for each in pair:
                _abort(each)

    # ----- websockets: re-open to the server, rewrite what it sends --------------------------------------
    async def _socket(self, client: ServerConnection) -> None:
        path = client.request.path if client.request else "/"
        try:
            upstream = await connect(f"ws://127.0.0.1:{self.target_port}{path}", proxy=None, compression=None)
        except Exception:  # noqa: BLE001 - the server is down: so is this socket
            await client.close(1011)
            return
        self._sockets.add(client)
        pumps = [asyncio.create_task(self._forward(client, upstream)),
                 asyncio.create_task(self._rewritten(upstream, client))]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)  # either side gone: both go
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            self._sockets.discard(client)
            code = upstream.close_code if upstream.close_code else 1011
            sendable = code in SENDABLE_CLOSE or 4000 <= code < 5000
            await client.close(code if sendable else 1011, upstream.close_reason or "")
            await upstream.close()

    @staticmethod
    async def _forward(client: ServerConnection, upstream: Any) -> None:
        try:
            async for message in client:
                await upstream.send(message)
        finally:
            await upstream.close()

    async def _rewritten(self, upstream: Any, client: ServerConnection) -> None:
        async for message in upstream:
            frame = json.loads(message)
            if is_reply(frame):
                await client.send(message)
                continue
            self.frames_in += 1
            for out in self.rewrite(frame):
                self.frames_out += 1
                await client.send(out if isinstance(out, str) else json.dumps(out))
