"""Small helpers shared by the screens of this package (not a screen)."""

from __future__ import annotations

from datetime import datetime

from textual.screen import Screen

from tui.protocols import HasApp, host_of
from tui.services import ServiceError


def report(node: HasApp, err: ServiceError) -> None:
    """Hand a service error to the app's one report path (ScreenHost.report)."""
    host_of(node).report(err)


def when(moment: datetime | None) -> str:
    """A timestamp in local time, to the minute; '-' when unknown."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def go_back(screen: Screen) -> None:
    """Pop this screen if something is below it."""
    if len(screen.app.screen_stack) > 1 and screen.app.screen is screen:
        screen.app.pop_screen()
