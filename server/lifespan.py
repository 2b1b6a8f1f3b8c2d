"""ASGI lifespan: start the job runner when a server process starts and stop it when it stops.

uvicorn (`--workers N` too), gunicorn's uvicorn workers and `python -m server` send these events, so each
process resumes and takes over builds the same way. Servers without the lifespan protocol (daphne) start
the runner on their first connection instead (`JOB_RUNNER_AUTOSTART`, see server/asgi.py).
"""

from __future__ import annotations

import logging
from typing import Any

from server.jobs import runner

log = logging.getLogger(__name__)


async def lifespan(scope: dict, receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                runner.start()
            except Exception as exc:
                log.exception("startup failed")
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await runner.stop()
            await send({"type": "lifespan.shutdown.complete"})
            return
