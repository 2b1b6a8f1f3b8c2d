"""Small helpers shared by the screens of this package (not a screen)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.app import App
from textual.screen import Screen

from tui.messages import AuthLost
from tui.printable import one_line
from tui.protocols import HasApp, host_of
from tui.services import AuthRequired, ServerUnavailable, ServiceError
from tui.services.connection import ConnectionState


def report(node: HasApp, err: ServiceError) -> None:
    """Hand a service error to the app's one report path (ScreenHost.report)."""
    host_of(node).report(err)


def deliver(app: App[Any], err: ServiceError) -> None:
    """The body of ScreenHost.report (AppBuilderApp's, and the tests' HostApp's): a lost session becomes
    AuthLost (the app shows login), an unreachable server turns the indicator offline, and every other
    error is a notification (the message may carry the server's words: no markup, no terminal controls;
    the login screen cleans the AuthLost reason where it shows it)."""
    if isinstance(err, AuthRequired):
        app.post_message(AuthLost(err.message))
        return
    if isinstance(err, ServerUnavailable):
        host_of(app).show_connection(ConnectionState.OFFLINE)
    app.notify(one_line(err.message), severity="error", markup=False)


def when(moment: datetime | None) -> str:
    """A timestamp in local time, to the minute; '-' when unknown."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def go_back(screen: Screen) -> None:
    """Pop this screen if something is below it."""
    if len(screen.app.screen_stack) > 1 and screen.app.screen is screen:
        screen.app.pop_screen()
