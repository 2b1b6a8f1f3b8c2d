"""A misbehaving HTTP server on loopback for fault tests: answers the way `mode` says.

`GET /api/auth/me/` always answers a user, so a client can resume a saved session before things go wrong.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES: dict[str, tuple[int, str, bytes]] = {
    "ok-empty": (200, "application/json", b'{"count": 0, "next": null, "previous": null, "results": []}'),
    "500-json": (500, "application/json", b'{"detail": "Internal server error: database is locked."}'),
    "500-html": (500, "text/html", b"<!doctype html><h1>Server Error (500)</h1>"),
    "200-html": (200, "text/html", b"<!doctype html><title>Welcome to nginx!</title>"),
    "truncated": (200, "application/json", b'{"count": 3, "results": [{"id": 1, "title": "cut'),
    "slow": (200, "application/json", b'{"count": 0, "results": []}'),
}
ME = b'{"id": 1, "username": "victim", "email": "", "is_staff": false, "date_joined": null}'


class BadServer:
    """`with BadServer() as bad: bad.mode = "500-html"`; `slow` answers after `delay` seconds."""

    def __init__(self, mode: str = "ok-empty", delay: float = 3.0) -> None:
        self.mode = mode
        self.delay = delay
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                owner.requests += 1
                status, kind, body = MODES[owner.mode]
                if self.path.startswith("/api/auth/me/"):
                    status, kind, body = 200, "application/json", ME
                elif owner.mode == "slow":
                    time.sleep(owner.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (timeout)
                    pass

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> BadServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
