"""TokenStore files (mode, layout, atomicity, repr) and JWT claim reading."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from pathlib import Path

import pytest

from tests.services.conftest import make_jwt
from tui.services import jwt
from tui.services.tokens import StoredTokens, TokenStore

URL = "http://127.0.0.1:8000"


def tokens(url: str = URL, access: str = "acc-secret-1", refresh: str = "ref-secret-1") -> StoredTokens:
    return StoredTokens(url, "ada", access, refresh)


def test_round_trip_layout_and_mode(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "cfg")
    store.save(tokens())
    path = store.profile_path(URL)
    assert path == tmp_path / "cfg" / "profiles" / f"{hashlib.sha256(URL.encode()).hexdigest()[:16]}.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert json.loads(path.read_text()) == {"server_url": URL, "username": "ada", "access": "acc-secret-1",
                                            "refresh": "ref-secret-1"}
    assert store.load(URL) == tokens()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_one_profile_per_server(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.save(tokens())
    store.save(tokens("http://other:9000", access="other"))
    assert store.load(URL).access == "acc-secret-1"  # type: ignore[union-attr]
    assert store.load("http://other:9000").access == "other"  # type: ignore[union-attr]
    store.delete(URL)
    store.delete(URL)  # idempotent
    assert store.load(URL) is None and store.load("http://other:9000") is not None


def test_default_directory_is_the_user_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert TokenStore().directory == tmp_path / "xdg" / "appbuilder-tui"


def test_repr_hides_tokens(tmp_path: Path) -> None:
    saved = tokens()
    for text in (repr(saved), str(saved), repr(TokenStore(tmp_path))):
        assert "secret" not in text
    assert "ada" in repr(saved)


def test_garbage_or_foreign_files_read_as_nothing(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    store.save(tokens())
    path = store.profile_path(URL)
    for text in ("{", "[]", '{"server_url": "http://127.0.0.1:8000"}', json.dumps(tokens("http://evil").to_json())):
        path.write_text(text)
        assert store.load(URL) is None


def test_signature_changes_on_every_save(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    assert store.signature(URL) is None
    first = store.save(tokens())
    assert store.signature(URL) == first == store.read(URL)[1]
    second = store.save(tokens(access="acc-secret-2"))
    assert second != first and store.signature(URL) == second


def test_last_server(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    assert store.last_server is None
    store.remember_server(URL)
    assert TokenStore(tmp_path).last_server == URL
    assert stat.S_IMODE(os.stat(store.settings_path).st_mode) == 0o600


def test_lock_is_exclusive(tmp_path: Path) -> None:
    import fcntl

    store = TokenStore(tmp_path)
    with store.locked(URL):
        fd = os.open(store.lock_path(URL), os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
    fd = store.acquire_lock(URL)
    store.release_lock(fd)


def test_jwt_claims() -> None:
    now = time.time()
    long = make_jwt(lifetime=300, now=now)
    assert jwt.expires_at(long) == int(now) + 300
    assert jwt.refresh_margin(long) == 30
    assert not jwt.needs_refresh(long, now=now) and jwt.needs_refresh(long, now=int(now) + 271)
    short = make_jwt(lifetime=1, now=now)
    assert jwt.refresh_margin(short) == 0
    assert not jwt.needs_refresh(short, now=int(now) + 0.99) and jwt.needs_refresh(short, now=int(now) + 1)
    for junk in ("", "abc", "a.b.c", "a.!!!.c", "x." + "W10" + ".y"):
        assert jwt.expires_at(junk) is None and not jwt.needs_refresh(junk)
