"""The database and the channel layer, from `DATABASE_URL` and `REDIS_URL` (docs/deploy.md).

Unset, the server is the single-machine default: a SQLite file and the in-memory channel layer. Postgres
(psycopg 3) and Redis (channels_redis) come with the `scale` extra; they are what several server processes
need to share jobs and live frames.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

REDIS_SOCKET_TIMEOUT = 15.0

# Connections are reused for this long (seconds): requests run on a few long-lived threads (server/lanes.py)
# and socket/pipeline database calls on one, so there is a bounded number of connections per process.
CONN_MAX_AGE = 600
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}


def database(url: str | None, sqlite_path: Path, sqlite_timeout: float = 30) -> dict[str, Any]:
    """Django's `DATABASES["default"]`: `url` parsed by dj-database-url, else the SQLite file."""
    sqlite_options = {"timeout": sqlite_timeout, **SQLITE_OPTIONS}
    if not url:
        sqlite = "django.db.backends.sqlite3"
        return {"ENGINE": sqlite, "NAME": str(sqlite_path), "OPTIONS": sqlite_options,
                "CONN_MAX_AGE": CONN_MAX_AGE, "CONN_HEALTH_CHECKS": True}
    import dj_database_url

    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**sqlite_options, **config.get("OPTIONS", {})}
    return config


def channel_layers(redis_url: str | None, capacity: int = 10000) -> dict[str, Any]:
    """Django Channels' `CHANNEL_LAYERS`: Redis when `redis_url` is set (groups span processes).

    The pub/sub layer: a job's frames are broadcasts to its group, delivered in publish order. (The list-based
    `core` layer left consumers stuck on shutdown with 30+ sockets, so uvicorn never exited.)
    """
    if not redis_url:
        return {
            "default": {
                "BACKEND": "server.jobs.layer.ClosingInMemoryChannelLayer",
                "CONFIG": {"capacity": capacity},
            }
        }
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # redis-py 8 times reads out after 5 s by default, as long as the layer's blocking reads:
                # give them a margin (a `?socket_timeout=` in the URL still wins)
                "hosts": [{"address": redis_url, "socket_timeout": REDIS_SOCKET_TIMEOUT}],
                "prefix": "appbuilder:",
            },
        }
    }


def is_sqlite(config: dict[str, Any]) -> bool:
    return config.get("ENGINE") == "django.db.backends.sqlite3"
