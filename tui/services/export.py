"""Write a generated app's files under a directory, never outside it.

The paths come from the server, so they are untrusted: absolute paths, `..`, backslashes, NUL, and any
existing symlink on the way (a link inside DIR could point anywhere) are refused before anything is written.
Existing files are kept unless `force`; the final open uses O_NOFOLLOW so a link planted meanwhile is not
followed either. Used by `appbuilder-tui apps export` and meant for the TUI's export action too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tui.services.errors import ServiceError
from tui.services.models import AppFile

FILE_MODE = 0o644
DIR_MODE = 0o755


class ExportError(ServiceError):
    default_message = "The app's files could not be written."


class UnsafePath(ExportError):
    """A file path that would land outside the target directory (or cannot be a file name at all)."""


class WouldOverwrite(ExportError):
    """A file exists already and `force` was not given."""


@dataclass(frozen=True)
class Planned:
    relative: PurePosixPath
    target: Path
    content: str
    exists: bool


def safe_relative(path: str) -> PurePosixPath:
    """The server's path as a clean relative path; UnsafePath for anything that could escape."""
    shown = repr(path)
    if not path or "\x00" in path or "\\" in path:
        raise UnsafePath(f"Refusing the file path {shown}: empty or with a backslash or NUL character.")
    pure = PurePosixPath(path)
    if pure.is_absolute() or path.startswith("~"):
        raise UnsafePath(f"Refusing the file path {shown}: it is absolute.")
    if ".." in pure.parts:
        raise UnsafePath(f"Refusing the file path {shown}: it leaves the export directory (..).")
    parts = [part for part in pure.parts if part != "."]
    if not parts or path.endswith("/"):
        raise UnsafePath(f"Refusing the file path {shown}: it names a directory, not a file.")
    return PurePosixPath(*parts)


def plan(files: Iterable[AppFile], directory: Path) -> list[Planned]:
    """Check every path before writing any: UnsafePath on the first bad one (links included)."""
    root = directory.resolve()
    planned: list[Planned] = []
    seen: set[PurePosixPath] = set()
    for item in files:
        relative = safe_relative(item.path)
        if relative in seen:
            raise UnsafePath(f"Refusing the app: {str(relative)!r} appears twice.")
        seen.add(relative)
        target = root.joinpath(*relative.parts)
        walked = root
        for part in relative.parts:
            walked = walked / part
            if walked.is_symlink():
                raise UnsafePath(f"Refusing to write {relative}: {walked.relative_to(root)} is a symbolic "
                                 "link.")
            if walked != target and walked.exists() and not walked.is_dir():
                raise UnsafePath(f"Cannot write {relative}: {walked.relative_to(root)} is a file, not a "
                                 "directory.")
        if target.is_dir():
            raise UnsafePath(f"Cannot write {relative}: a directory has that name.")
        planned.append(Planned(relative, target, item.content, target.exists()))
    return planned


def export_files(files: Iterable[AppFile], directory: Path, force: bool = False) -> list[Path]:
    """Write each file under `directory` (created if missing); the paths written, relative to it.

    Nothing is written when any path is unsafe, or when a file exists and `force` is False."""
    directory = Path(directory).expanduser()
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory} is not a directory.")
    planned = plan(files, directory)
    existing = [item.relative for item in planned if item.exists]
    if existing and not force:
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        raise WouldOverwrite(f"{existing[0]}{more} already exist{'s' if not more else ''} in {directory}: "
                             "use --force to overwrite.")
    written: list[Path] = []
    try:
        for item in planned:
            item.target.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            write_no_follow(item.target, item.content)
            written.append(Path(item.relative))
    except OSError as err:
        raise ExportError(f"Could not write {err.filename or directory}: {err.strerror or err}.") from None
    return written


def write_no_follow(path: Path, content: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    fd = os.open(path, flags, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)
