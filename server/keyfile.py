"""The JWT signing key of one database: `<db file>.secret_key`, created 0600, refused if others could read it.

A key per database (not per folder), so two servers whose databases share a folder never share a key, and a
key file another local user planted or can read is refused instead of trusted.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 50
MIN_KEY_LENGTH = 32


class KeyFileError(Exception):
    """The key file cannot be trusted or created; the message is one line for the operator."""


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".secret_key")


def read_key(path: Path) -> str:
    """The key in `path`, after checking it is a regular file of ours that only we can read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError as err:
        raise KeyFileError(f"cannot read the signing key {path}: {err.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise KeyFileError(f"refusing the signing key {path}: not a regular file")
        if st.st_uid != os.geteuid():
            raise KeyFileError(f"refusing the signing key {path}: owned by uid {st.st_uid}, not by this user")
        if st.st_mode & 0o077:
            raise KeyFileError(
                f"refusing the signing key {path}: mode {stat.S_IMODE(st.st_mode):04o} lets other users read "
                f"it (chmod 600 it, or delete it to log everyone out)"
            )
        key = handle.read().decode("ascii", errors="replace").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise KeyFileError(f"refusing the signing key {path}: shorter than {MIN_KEY_LENGTH} characters")
    return key


def ensure_key(db_path: Path) -> str:
    """The database's key, created (0600, exclusively) the first time."""
    path = key_path(db_path)
    try:
        return read_key(path)
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:  # another server created it first: use that one
        return read_key(path)
    except OSError as err:
        raise KeyFileError(f"cannot create the signing key {path}: {err.strerror}") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def db_path_from_env() -> Path:
    """APPBUILDER_DB, else `server.sqlite3` in the user data dir (shared by the settings and the runner)."""
    import platformdirs

    raw = os.environ.get("APPBUILDER_DB")
    return Path(raw or Path(platformdirs.user_data_dir("appbuilder-tui")) / "server.sqlite3").expanduser()


def make_private(db_path: Path) -> None:
    """Create the data folder 0700 (when it does not exist) and narrow the database files to 0600.

    Run with umask 077 as well, so SQLite creates the database, its WAL and SHM 0600 from the start."""
    folder = db_path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = db_path.with_name(db_path.name + suffix)
        try:
            st = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077 and st.st_uid == os.geteuid():
            os.chmod(path, 0o600)


def export_key(create: bool) -> None:
    """Put this database's key in `APPBUILDER_SECRET_KEY`, where the settings read it, unless it is set.

    `create`: make the key file the first time (`python -m server`); else it must exist (a bare ASGI server,
    which then says to start `python -m server` once)."""
    if os.environ.get("APPBUILDER_SECRET_KEY"):
        return
    db_path = db_path_from_env()
    if create:
        key = ensure_key(db_path)
    else:
        try:
            key = read_key(key_path(db_path))
        except FileNotFoundError:
            raise KeyFileError(f"no signing key beside {db_path}: start the server once with "
                               "`python -m server` to create one, or set APPBUILDER_SECRET_KEY") from None
    os.environ["APPBUILDER_SECRET_KEY"] = key
