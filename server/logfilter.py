"""Log filter that removes tokens (`?token=...`, bearer headers, anything shaped like a JWT) from any record
before it is printed, after undoing percent-encoding (`?tok%65n=` is `?token=`)."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

_TOKEN = re.compile(r"(token=)[^&\s\"']+|(Bearer\s+)[\w.\-]+", re.IGNORECASE)
_JWT = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    decoded = unquote(text)
    cleaned = _JWT.sub("[redacted]", _TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", decoded))
    return text if cleaned == decoded else cleaned


class RedactTokens(logging.Filter):
    """Rewrites the formatted message with tokens replaced by `[redacted]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
