"""ASGI entry: HTTP -> body-size limit -> Django, websocket -> `ws/jobs/<job_id>/` (first-frame auth)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from server.jobs import pipeline  # noqa: E402
from server.jobs.routing import websocket_urlpatterns  # noqa: E402
from server.limits import BodyLimit  # noqa: E402

router = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_application),
        "websocket": URLRouter(websocket_urlpatterns),
    }
)


async def application(scope: dict, receive: Any, send: Any) -> Any:
    """The router, remembering the running loop so sync views can schedule pipeline tasks on it."""
    pipeline.bind_loop(asyncio.get_running_loop())
    return await router(scope, receive, send)
