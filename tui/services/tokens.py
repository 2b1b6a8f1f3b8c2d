"""Token store: one JSON profile per server URL, mode 0600, atomic writes, shared by every process.

Layout under the directory (default: platformdirs' user config dir of "appbuilder-tui"):
`profiles/<sha256(url)[:16]>.json` (+ `.json.lock` for `fcntl.flock` around refreshes) and `settings.json`
(`last_server`). Tokens are never logged and `repr()` hides them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.locations import config_dir
from tui.services.errors import SessionFileUnreadable

APP_NAME = "appbuilder-tui"
FILE_MODE = 0o600
DIR_MODE = 0o700

# (inode, mtime_ns, size): cheap to compare, changes on every atomic replace.
Signature = tuple[int, int, int]


@dataclass(frozen=True)
class StoredTokens:
    """One saved session. `repr()` shows the server and the user, never the tokens."""

    server_url: str
    username: str
    access: str = field(repr=False)
    refresh: str = field(repr=False)

    def to_json(self) -> dict[str, str]:
        return {"server_url": self.server_url, "username": self.username, "access": self.access,
                "refresh": self.refresh}

    @classmethod
    def from_json(cls, data: Any) -> StoredTokens | None:
        if not isinstance(data, dict):
            return None
        values = [data.get(key) for key in ("server_url", "username", "access", "refresh")]
        texts = [value for value in values if isinstance(value, str) and value]
        return cls(*texts) if len(texts) == len(values) else None


def decode_profile(raw: bytes, server_url: str) -> tuple[StoredTokens | None, str | None]:
    """(tokens, None) for a good profile of `server_url`, else (None, what is wrong with it, in words)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None, "is not valid JSON"
    tokens = StoredTokens.from_json(data)
    if tokens is None:
        return None, "does not hold a session"
    if tokens.server_url != server_url:
        return None, "belongs to another server"
    return tokens, None


def signature_of(st: os.stat_result) -> Signature:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def write_atomic(path: Path, text: str) -> Signature:
    """Write `text` to `path` via a 0600 temp file in the same directory, fsync, rename.

    The file is never visible partially written nor with a wider mode, not even for an instant. Returns the
    signature the final file has (rename keeps inode, mtime and size).
    """
    for attempt in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{attempt}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            continue
        break
    else:
        raise OSError(f"cannot create a temporary file beside {path.name}")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
            sig = signature_of(os.fstat(handle.fileno()))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return sig


class TokenStore:
    """Saved sessions, one profile per server URL. Safe to share between processes."""

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else Path(
            config_dir())

    def __repr__(self) -> str:
        return f"TokenStore({str(self.directory)!r})"

    # ----- paths ------------------------------------------------------------------------------------
    @property
    def profiles(self) -> Path:
        return self.directory / "profiles"

    def profile_path(self, server_url: str) -> Path:
        digest = hashlib.sha256(server_url.encode("utf-8")).hexdigest()[:16]
        return self.profiles / f"{digest}.json"

    def lock_path(self, server_url: str) -> Path:
        path = self.profile_path(server_url)
        return path.with_name(path.name + ".lock")

    def _ensure_dirs(self) -> None:
        self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        self.profiles.mkdir(mode=DIR_MODE, exist_ok=True)

    # ----- profiles ---------------------------------------------------------------------------------
    def signature(self, server_url: str) -> Signature | None:
        """Cheap check (one stat) whether the profile changed; None if it does not exist."""
        try:
            return signature_of(os.stat(self.profile_path(server_url)))
        except FileNotFoundError:
            return None

    def read(self, server_url: str, *,
             set_aside: bool = False) -> tuple[StoredTokens | None, Signature | None]:
        """The saved tokens and the signature of exactly the file read; (None, None) if there is none.

        An unreadable file (not UTF-8, not JSON, not a session, another server's, no permission) reads as no
        tokens, with its signature so it is not re-read; with `set_aside` it is renamed out of the way and
        SessionFileUnreadable names it (start-up: say so once, then ask for a login that can save again).
        """
        path = self.profile_path(server_url)
        try:
            with open(path, "rb") as handle:
                sig: Signature | None = signature_of(os.fstat(handle.fileno()))
                tokens, problem = decode_profile(handle.read(), server_url)
        except FileNotFoundError:
            return None, None
        except OSError as err:
            sig, tokens, problem = None, None, f"cannot be opened ({err.strerror or type(err).__name__})"
        if problem is None:
            return tokens, sig
        if set_aside:
            raise self._set_aside(path, problem)
        return None, sig

    @staticmethod
    def _set_aside(path: Path, problem: str) -> SessionFileUnreadable:
        target = path.with_name(f"{path.name}.unreadable")
        if target.exists():
            target = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}")
        try:
            os.replace(path, target)
        except OSError as err:
            return SessionFileUnreadable(f"The saved session {path} {problem} and could not be moved aside "
                                         f"({err.strerror}): please log in again.")
        return SessionFileUnreadable(f"The saved session {path} {problem}: moved it to {target.name}; "
                                     "please log in again.")

    def load(self, server_url: str) -> StoredTokens | None:
        return self.read(server_url)[0]

    def save(self, tokens: StoredTokens) -> Signature:
        """Atomically write the profile (mode 0600); returns its signature."""
        self._ensure_dirs()
        return write_atomic(self.profile_path(tokens.server_url), json.dumps(tokens.to_json()))

    def delete(self, server_url: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.profile_path(server_url))

    # ----- cross-process lock -----------------------------------------------------------------------
    def acquire_lock(self, server_url: str) -> int:
        """Block until this process holds the profile's exclusive lock; returns the fd to release.

        Blocking: call it through `asyncio.to_thread` from async code.
        """
        self._ensure_dirs()
        fd = os.open(self.lock_path(server_url), os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def release_lock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def locked(self, server_url: str) -> Iterator[None]:
        """Synchronous form of the lock (scripts, tests)."""
        fd = self.acquire_lock(server_url)
        try:
            yield
        finally:
            self.release_lock(fd)

    # ----- settings ---------------------------------------------------------------------------------
    @property
    def settings_path(self) -> Path:
        return self.directory / "settings.json"

    def _settings(self) -> dict[str, Any]:
        try:
            data = json.loads(self.settings_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def last_server(self) -> str | None:
        """The server URL used last (set at each login or restored session)."""
        value = self._settings().get("last_server")
        return value if isinstance(value, str) and value else None

    def remember_server(self, server_url: str) -> None:
        settings = self._settings()
        if settings.get("last_server") == server_url:
            return
        settings["last_server"] = server_url
        self._ensure_dirs()
        write_atomic(self.settings_path, json.dumps(settings))
