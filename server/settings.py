"""Django settings for the reference backend; every knob comes from the environment (see docs/api.md)."""

from __future__ import annotations

import os
from datetime import timedelta

from server import backends, keyfile
from server.settings_defaults import LOOPBACK_HOSTS, RATE


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate (`N/s|min|hour|day`); a malformed one falls back to the default, not a 500."""
    value = os.environ.get(name, "").strip()
    return value if RATE.fullmatch(value) else default


DB_PATH = keyfile.db_path_from_env()
# The signing key: from the environment only. Entry points put the database's key file there first
# (`python -m server` creates it: server/run.py; server/asgi.py reads it): importing settings touches no file.
SECRET_KEY = os.environ.get("APPBUILDER_SECRET_KEY", "")
DEBUG = False
# Host headers answered (others get a JSON 400), so no foreign Host ends up in pagination links.
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", LOOPBACK_HOSTS).split(",") if h.strip()]
# Request bodies above this are refused (413) before they are read or spooled (server.limits).
MAX_BODY_BYTES = int(env_float("MAX_BODY_BYTES", 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
MAX_JSON_DEPTH = 64
# Threads running the sync part of HTTP requests, each with its own persistent database connection
HTTP_THREADS = max(1, int(env_float("HTTP_THREADS", 8)))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "channels",
    "server.authentication",
    "server.jobs",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "server.urls"
ASGI_APPLICATION = "server.asgi.application"
TEMPLATES: list[dict] = []

# DATABASE_URL (Postgres via psycopg 3, or sqlite:///path); unset: the SQLite file at DB_PATH.
# Connections persist (CONN_MAX_AGE) in the threads that run requests (HTTP_THREADS lanes, server/lanes.py)
DATABASES = {
    "default": backends.database(os.environ.get("DATABASE_URL"), DB_PATH, env_float("DB_TIMEOUT", 30))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# REDIS_URL (channels_redis, so socket groups span server processes); unset: in-memory, one process.
# capacity (in-memory): frames a slow socket may have queued (the default, 100, is too few for a fast build
# or a flood of frames). Never dropped silently: past capacity the socket is closed and the client re-syncs
# (server.jobs.layer)
CHANNEL_LAYERS = backends.channel_layers(
    os.environ.get("REDIS_URL"), int(env_float("CHANNEL_CAPACITY", 10000))
)

# appbuilder settings
ALLOW_JOB_PURGE = env_bool("ALLOW_JOB_PURGE")
ALLOW_FLOOD = env_bool("ALLOW_FLOOD")  # POST /api/jobs/<id>/flood/ (benchmarks only)
WS_DIALECT = os.environ.get("WS_DIALECT", "documented")
if WS_DIALECT not in {"documented", "legacy"}:
    WS_DIALECT = "documented"
PIPELINE_SPEED = max(0.0, env_float("PIPELINE_SPEED", 0.4))
MAX_PROMPT_LENGTH = int(env_float("MAX_PROMPT_LENGTH", 20000))
ACCESS_TOKEN_LIFETIME = env_float("ACCESS_TOKEN_LIFETIME", 300)
REFRESH_TOKEN_LIFETIME = env_float("REFRESH_TOKEN_LIFETIME", 86400)
# REST requests re-read their user row at most this often (server/authentication/jwt_auth.py); 0: always
USER_CACHE_SECONDS = max(0.0, env_float("USER_CACHE_SECONDS", 5))
# How long an unfiltered jobs list trusts its cached count (server/jobs/counts.py); 0 counts every request
JOB_COUNT_CACHE_SECONDS = max(0.0, env_float("JOB_COUNT_CACHE_SECONDS", 2))
SEED_DEMO = env_bool("APPBUILDER_SEED_DEMO")
# Per client address (DRF rate syntax, "N/s|m|h|d"): brute force on login/register/refresh answers 429.
AUTH_THROTTLE_RATES = {
    "login": env_rate("AUTH_RATE", "10/min"),
    "register": env_rate("AUTH_RATE", "10/min"),
    "refresh": env_rate("REFRESH_RATE", "60/min"),
}

# scale-out (docs/deploy.md): the runner lease, and the job runner started on a server's first connection
# for ASGI servers without the lifespan protocol (daphne); uvicorn and gunicorn start it at lifespan startup
JOB_LEASE_SECONDS = max(0.5, env_float("JOB_LEASE_SECONDS", 5.0))
JOB_RUNNER_AUTOSTART = env_bool("JOB_RUNNER_AUTOSTART", True)
# behind a reverse proxy that sets X-Forwarded-Proto / X-Forwarded-Host (and strips them from clients)
if env_bool("TRUST_PROXY_HEADERS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["server.authentication.jwt_auth.CachedUserJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["server.limits.BoundedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "server.negotiation.RememberedNegotiation",
    "EXCEPTION_HANDLER": "server.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=ACCESS_TOKEN_LIFETIME),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=REFRESH_TOKEN_LIFETIME),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "server.logfilter.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "null": {"class": "logging.NullHandler"},
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "server": {"handlers": ["console"], "level": "INFO"},
        # a client's made-up Host header answers a JSON 400; a traceback per request would flood the log
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}
