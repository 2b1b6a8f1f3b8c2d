"""Django settings for the reference backend; every knob comes from the environment (see docs/api.md)."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import platformdirs

from server import backends


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


TESTING = "pytest" in sys.modules
DB_PATH = Path(
    os.environ.get("APPBUILDER_DB") or Path(platformdirs.user_data_dir("appbuilder-tui")) / "server.sqlite3"
).expanduser()


def _secret_key() -> str:
    """APPBUILDER_SECRET_KEY, else a fixed key under tests, else one generated once per data dir."""
    if key := os.environ.get("APPBUILDER_SECRET_KEY"):
        return key
    if TESTING and not os.environ.get("APPBUILDER_DB"):
        return "test-only-insecure-secret-key-0123456789abcdef"
    path = DB_PATH.parent / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = ["*"]

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

# DATABASE_URL (Postgres via psycopg 3, or sqlite:///path); unset: the SQLite file at DB_PATH
DATABASES = {"default": backends.database(os.environ.get("DATABASE_URL"), DB_PATH)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# REDIS_URL (channels_redis, so socket groups span server processes); unset: in-memory, one process
CHANNEL_LAYERS = backends.channel_layers(os.environ.get("REDIS_URL"))

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
SEED_DEMO = env_bool("APPBUILDER_SEED_DEMO")

# scale-out (docs/deploy.md): the runner lease, and the job runner started on a server's first connection
# for ASGI servers without the lifespan protocol (daphne); uvicorn and gunicorn start it at lifespan startup
JOB_LEASE_SECONDS = max(0.5, env_float("JOB_LEASE_SECONDS", 5.0))
JOB_RUNNER_AUTOSTART = env_bool("JOB_RUNNER_AUTOSTART", not TESTING)
# behind a reverse proxy that sets X-Forwarded-Proto / X-Forwarded-Host (and strips them from clients)
if env_bool("TRUST_PROXY_HEADERS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
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
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "server": {"handlers": ["console"], "level": "INFO"},
    },
}
