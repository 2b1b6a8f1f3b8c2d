"""A real Postgres and a real Redis on loopback (started by the test run itself), and server processes
sharing them. A service that cannot be started fails the tests with the reason: they never skip."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from tests.support.asgi_server import AsgiServer
from tests.support.services import Postgres, Redis, Service, ServiceError, start_postgres, start_redis
from tui.server_process import child_env

ROOT = Path(__file__).resolve().parents[2]
SPEED = 0.05  # seconds between pipeline steps: a build takes ~1.5 s, time enough to kill a process mid-build
LEASE_SECONDS = 2.0
S = TypeVar("S", bound=Service)


def service_fixture(start: Callable[[], S], kind: str) -> Callable[[], Iterator[S]]:
    """A session fixture running one service of `kind` (started by `start`) for the whole run."""

    def fixture() -> Iterator[S]:
        try:
            service = start()
        except ServiceError as exc:
            pytest.fail(f"could not start {kind} for the scale-out tests: {exc}", pytrace=False)
        yield service
        service.stop()

    fixture.__doc__ = f"A real {kind} on a free loopback port, in a temp dir removed at the end."
    return pytest.fixture(scope="session", name=kind.lower())(fixture)


postgres = service_fixture(start_postgres, "Postgres")
redis = service_fixture(start_redis, "Redis")


@pytest.fixture(scope="session")
def scale_env(postgres: Postgres, redis: Redis) -> dict[str, str]:
    """The environment every server process gets; the schema is migrated once, as its own step."""
    env = {
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "APPBUILDER_SECRET_KEY": "scale-test-secret-key-shared-by-every-process-0123456789",
        "PIPELINE_SPEED": str(SPEED),
        "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "ALLOW_JOB_PURGE": "1",
    }
    done = subprocess.run([sys.executable, "-m", "server", "migrate"], env=child_env(env), cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        pytest.fail(f"`python -m server migrate` on Postgres failed:\n{output}", pytrace=False)
    return env


@pytest.fixture
def make_asgi(scale_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., list[AsgiServer]]]:
    """Starts `uvicorn|daphne server.asgi:application` processes sharing Postgres and Redis, all at once."""
    started: list[AsgiServer] = []

    def make(*programs: str, workers: int = 1) -> list[AsgiServer]:
        servers = []
        for program in programs:
            n = len(started) + 1
            server = AsgiServer(db_path=tmp_path / f"unused-{n}.sqlite3", program=program, workers=workers,
                                extra_env=dict(scale_env), log_path=tmp_path / f"{program}-{n}.log")
            started.append(server)
            servers.append(server)
        with ThreadPoolExecutor(len(servers)) as pool:  # each start waits for its server to answer
            list(pool.map(AsgiServer.start, servers))
        return servers

    yield make
    for server in started:
        server.stop()
