"""Exit codes (documented in `--help`) and the one-line error that carries one."""

from __future__ import annotations

OK = 0
ERROR = 1  # anything else, including a failed build in `jobs watch`
USAGE = 2  # bad arguments, bad config file, unknown profile, bad server URL
AUTH = 3  # not logged in, or the session / token was refused
NOT_FOUND = 4
UNAVAILABLE = 5  # the server could not be reached (or answered 502/503/504)
FORBIDDEN = 6  # the server refused (e.g. purge is off)

HELP = """\
exit codes:
  0  ok
  1  error (the server rejected the input, a conflict, a failed build in `jobs watch`)
  2  usage (bad arguments, config file error, unknown profile, bad --server URL)
  3  not logged in, or the session / APPBUILDER_TUI_TOKEN was refused
  4  not found (job, app or message)
  5  server unavailable (connection refused, DNS, timeout, 502/503/504)
  6  forbidden (e.g. `jobs purge` on a server with purge off)
"""


class CliError(Exception):
    """A one-line error for the user, with the exit code to leave with."""

    def __init__(self, message: str, code: int = ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def code_for(err: Exception) -> int:
    """The exit code of a service error."""
    from tui.services.errors import AuthRequired, Forbidden, NotFound, ServerError, ServerUnavailable

    if isinstance(err, AuthRequired):
        return AUTH
    if isinstance(err, NotFound):
        return NOT_FOUND
    if isinstance(err, Forbidden):
        return FORBIDDEN
    if isinstance(err, ServerUnavailable):
        return UNAVAILABLE
    if isinstance(err, ServerError) and err.status in (502, 503, 504):
        return UNAVAILABLE
    return ERROR
