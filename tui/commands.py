"""The app's commands and keys; the palette's providers (tui/palette.py) list them. Command palette
(ctrl+p): one provider, in a fixed order: the app's own commands, then what the current
screen can do, then what the focused widget can do (table moves and the like), then Textual's system
commands (theme, keys, screenshot).

One provider rather than several because the palette shows discovery hits in the order they arrive and
runs providers concurrently: with several, generic table moves could come before "New project". When
searching, the same order is kept by weighting the fuzzy score per group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding, BindingType
from textual.screen import Screen

# (title, help text, app action, dev only)
COMMANDS: tuple[tuple[str, str, str, bool], ...] = (
    ("New project", "Write a prompt and start a new build (n)", "new_project", False),
    ("Dashboard", "All your jobs", "dashboard", False),
    ("Apps", "Generated apps (a)", "apps", False),
    ("Profile", "Account, session, log out (p)", "profile", False),
    ("Purge all jobs", "Delete every job of yours: dev mode only (P)", "purge", True),
    ("Help", "Every key binding (?)", "help", False),
    ("Quit", "Leave appbuilder (q)", "quit", False),
)
# The app's own keys (AppBuilderApp.BINDINGS; the help screen lists them under "Global").
APP_BINDINGS: list[BindingType] = [
    Binding("question_mark", "help", "Help", id="app.help"),
    Binding("q", "quit", "Quit", id="app.quit"),
    Binding("escape", "back", "Back", show=False),
    Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True),
]
GROUP_WEIGHTS = (1.0, 0.9, 0.6, 0.5)  # app, screen, focused widget, system: search scores scaled by group
Entry = tuple[str, str, Callable[[], Any]]  # title, help, what to run


def screen_actions(screen: Screen) -> list[tuple[str, str, str, Any]]:
    """(title, help, action, namespace) for each enabled binding with a description on `screen`, once each;
    the app's own actions (in COMMANDS) are left to the first group."""
    skip = {action for _, _, action, _ in COMMANDS} | {"command_palette", "back", "help_quit", "interrupt"}
    found: dict[str, tuple[str, str, str, Any]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.enabled and binding.description and binding.action not in skip | set(found):
            where = screen_title(screen) if isinstance(active.node, Screen) else type(active.node).__name__
            text = f"{where} · key {screen.app.get_key_display(binding)}"
            found[binding.action] = (binding.description, text, binding.action, active.node)
    return list(found.values())


def screen_title(screen: Screen) -> str:
    """'LiveBuildScreen' -> 'Live Build'."""
    name = type(screen).__name__.removesuffix("Screen")
    return "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(name)).strip()
