"""Log filter that removes tokens (`?token=...`, bearer headers) from any record before it is printed."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(token=)[^&\s\"']+|(Bearer\s+)[\w.\-]+", re.IGNORECASE)


def redact(text: str) -> str:
    return _TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites the formatted message with tokens replaced by `[redacted]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
