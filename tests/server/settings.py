"""Settings for in-process tests (pytest-django): the server's, with a fixed signing key and no job runner
started by the ASGI application (tests drive pipelines themselves). Server subprocesses: server.settings."""

from server.settings import *  # noqa: F403

SECRET_KEY = "test-only-insecure-secret-key-0123456789abcdef"
JOB_RUNNER_AUTOSTART = False
