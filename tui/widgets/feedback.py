"""Small helpers shared by the screens of this package (not a screen)."""

from __future__ import annotations

from datetime import datetime

from textual.screen import Screen

from tui.messages import AuthLost
from tui.services import AuthRequired, ServiceError


def report(screen: Screen, err: ServiceError) -> None:
    """Show a service error as a notification; AuthRequired asks the app to show login (it deduplicates)."""
    if isinstance(err, AuthRequired):
        screen.post_message(AuthLost(err.message))
        return
    screen.notify(err.message, severity="error")


def when(moment: datetime | None) -> str:
    """A timestamp in local time, to the minute; '-' when unknown."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def go_back(screen: Screen) -> None:
    """Pop this screen if something is below it."""
    if len(screen.app.screen_stack) > 1 and screen.app.screen is screen:
        screen.app.pop_screen()
