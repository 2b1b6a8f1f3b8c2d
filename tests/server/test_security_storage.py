"""Local users: a signing key per database, 0600 and refused when others could read it; private data files
whatever the umask; APPBUILDER_SECRET_KEY still wins (real `python -m server` processes)."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from server.keyfile import key_path
from tests.support.live_server import LiveServer


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common umask 022 (files 0644, folders 0755 unless the server says otherwise)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def me(server: LiveServer, access: str) -> int:
    return httpx.get(f"{server.url}/api/auth/me/", headers={"Authorization": f"Bearer {access}"}).status_code


def test_private_files_whatever_the_umask(tmp_path: Path, loose_umask: None) -> None:
    db = tmp_path / "new-folder" / "db.sqlite3"
    with LiveServer(db_path=db, log_path=tmp_path / "server.log") as server:
        server.register("umask022")  # writes: the WAL and SHM exist now
        files = [db, db.with_name("db.sqlite3-wal"), db.with_name("db.sqlite3-shm"), key_path(db)]
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(db.parent) == 0o700


def test_existing_world_readable_database_is_narrowed(tmp_path: Path, loose_umask: None) -> None:
    db = tmp_path / "db.sqlite3"
    with LiveServer(db_path=db) as server:
        server.register("before")
    db.chmod(0o644)
    with LiveServer(db_path=db):
        assert mode(db) == 0o600


def test_one_key_per_database_even_in_one_folder(tmp_path: Path) -> None:
    """Two servers whose databases share a folder: a token of one is not accepted by the other."""
    with LiveServer(db_path=tmp_path / "a.sqlite3") as a, LiveServer(db_path=tmp_path / "b.sqlite3") as b:
        token_a = a.register("twin")["access"]
        b.register("twin")  # the same user id on both
        assert me(a, token_a) == 200
        assert me(b, token_a) == 401
    assert key_path(tmp_path / "a.sqlite3").read_text() != key_path(tmp_path / "b.sqlite3").read_text()


def start_refused(db: Path) -> subprocess.CompletedProcess:
    server = LiveServer(db_path=db)
    unset = ("DJANGO_SETTINGS_MODULE", "APPBUILDER_SECRET_KEY")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(server.command(), env=env, capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])


def test_readable_key_is_refused_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    with LiveServer(db_path=db):
        pass
    key_path(db).chmod(0o644)
    done = start_refused(db)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "refusing the signing key" in lines[0] and "0644" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_planted_key_of_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the key file to another user")
    db = tmp_path / "db.sqlite3"
    key_path(db).write_text("k" * 64)
    key_path(db).chmod(0o600)
    os.chown(key_path(db), 65534, 65534)
    done = start_refused(db)
    assert done.returncode != 0
    assert "owned by uid 65534" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_environment_key_wins(make_server: Callable[..., LiveServer]) -> None:
    """With APPBUILDER_SECRET_KEY, no key file is needed or created, and servers sharing it share tokens."""
    env = {"APPBUILDER_SECRET_KEY": "operator-chosen-key-0123456789abcdef-0123456789"}
    a = make_server(extra_env=env)
    b = make_server(extra_env=env)
    assert not key_path(a.db_path).exists()
    token = a.register("shared")["access"]
    b.register("shared")
    assert me(b, token) == 200
