"""ASGI entry: HTTP -> Django, websocket -> JWT middleware -> `ws/jobs/<job_id>/`."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from server.authentication.middleware import JWTAuthMiddleware  # noqa: E402
from server.jobs import pipeline  # noqa: E402
from server.jobs.routing import websocket_urlpatterns  # noqa: E402

router = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": JWTAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)


async def application(scope: dict, receive: Any, send: Any) -> Any:
    """The router, remembering the running loop so sync views can schedule pipeline tasks on it."""
    pipeline.bind_loop(asyncio.get_running_loop())
    return await router(scope, receive, send)
