"""ASGI entry: HTTP -> body-size limit -> Django, websocket -> origin check -> `ws/jobs/<job_id>/`
(first-frame auth), lifespan -> the job runner (server/lifespan.py). Any ASGI server serves it
(docs/deploy.md)."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import django

from server import keyfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
if os.environ["DJANGO_SETTINGS_MODULE"] == "server.settings":
    keyfile.export_key(create=False)  # these settings read the signing key from the environment
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from server.jobs import runner  # noqa: E402
from server.jobs.pipeline import runtime  # noqa: E402
from server.jobs.routing import websocket_urlpatterns  # noqa: E402
from server.lanes import LaneASGIHandler, Lanes  # noqa: E402
from server.lifespan import lifespan  # noqa: E402
from server.limits import BodyLimit  # noqa: E402
from server.logfilter import redact  # noqa: E402


class AllowedHostsOriginValidator(OriginValidator):
    """Channels' AllowedHostsOriginValidator (a browser page on another site may not open a socket), except
    that a socket without an Origin header passes: browsers always send one, and a non-browser client such
    as the TUI, which no web page can drive, sends none."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, settings.ALLOWED_HOSTS)

    def valid_origin(self, parsed_origin: Any) -> bool:
        return parsed_origin is None or super().valid_origin(parsed_origin)


router = ProtocolTypeRouter(
    {
        "http": BodyLimit(LaneASGIHandler()),
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)


class RedactTokenArgs(logging.Filter):
    """Redacts tokens in a record's arguments, keeping them a tuple (uvicorn's access formatter needs one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


# A bare `uvicorn server.asgi:application` logs socket URLs (`?token=...`): redact them as ours does.
for _name in ("uvicorn.access", "uvicorn.error"):
    logging.getLogger(_name).addFilter(RedactTokenArgs())


class Application:
    """The ASGI application, one per process: routes each connection, runs HTTP requests on the lanes
    (server/lanes.py), and attaches the job runtime to the server's loop once (server/jobs/pipeline.py)."""

    def __init__(self) -> None:
        self.router = router
        self.lanes = Lanes(settings.HTTP_THREADS)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if scope["type"] == "lifespan":
            return await lifespan(scope, receive, send)
        if runtime.loop is not asyncio.get_running_loop():
            self.first_call_on_loop()
        if scope["type"] != "http":
            return await self.router(scope, receive, send)
        async with self.lanes.lane():
            return await self.router(scope, receive, send)

    def first_call_on_loop(self) -> None:
        """Servers without lifespan events (daphne) start the job runner on their first connection."""
        runtime.attach(asyncio.get_running_loop())
        if settings.JOB_RUNNER_AUTOSTART:
            runner.start()


application = Application()
