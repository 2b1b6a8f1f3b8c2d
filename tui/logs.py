"""The TUI's log file (platformdirs' user log dir): what went wrong, with tracebacks, never a token."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from tui.locations import log_dir

LOG_ENV = "APPBUILDER_TUI_LOG_DIR"


def log_path() -> Path:
    folder = os.environ.get(LOG_ENV)
    return (Path(folder) if folder else log_dir()) / "tui.log"


class RedactTokens(logging.Formatter):
    """Formats as usual, then replaces anything shaped like a JWT (message and traceback) by `[token]`."""

    def format(self, record: logging.LogRecord) -> str:
        from tui.services.http import JWT_PATTERN  # here: setting up the log must not load the service layer

        return JWT_PATTERN.sub("[token]", super().format(record))


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose every file, the ones rotation creates included, is 0600 whatever the umask."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # an existing file created wider by an older version
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(path: Path | None = None, max_bytes: int = 1_000_000) -> Path:
    """Send `tui.*` records (INFO and up) to a rotating file readable only by the user; returns its path."""
    path = path or log_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=2, encoding="utf-8")
    handler.setFormatter(RedactTokens("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("tui")
    for old in [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]:
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path
