"""Command palette providers (ctrl+p): the app's global actions and every action of the current screen."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
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
Entry = tuple[str, str, Callable[[], Any]]  # title, help, what to run


class ActionProvider(Provider):
    """Fuzzy search over `entries()`; subclasses say what the entries are."""

    def entries(self) -> list[Entry]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, text, run in self.entries():
            yield DiscoveryHit(title, run, help=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, text, run in self.entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=text)


class AppBuilderCommands(ActionProvider):
    """Palette entries for the app's actions; purge only appears in dev mode."""

    def entries(self) -> list[Entry]:
        dev = bool(getattr(self.app, "dev_mode", False))
        return [(title, text, partial(self.app.run_action, action))
                for title, text, action, dev_only in COMMANDS if dev or not dev_only]


class ScreenCommands(ActionProvider):
    """Palette entries for what the screen under the palette can do now (its footer and more)."""

    def entries(self) -> list[Entry]:
        return [(title, text, partial(self.app.run_action, action, node))
                for title, text, action, node in screen_actions(self.screen)]


def screen_actions(screen: Screen) -> list[tuple[str, str, str, Any]]:
    """(title, help, action, namespace) for each enabled binding with a description on `screen`, once each;
    the app's own actions (in COMMANDS) are left to AppBuilderCommands."""
    skip = {action for _, _, action, _ in COMMANDS} | {"command_palette", "back"}
    found: dict[str, tuple[str, str, str, Any]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.enabled and binding.description and binding.action not in skip | set(found):
            text = f"{screen_title(screen)} · key {screen.app.get_key_display(binding)}"
            found[binding.action] = (binding.description, text, binding.action, active.node)
    return list(found.values())


def screen_title(screen: Screen) -> str:
    """'LiveBuildScreen' -> 'Live Build'."""
    name = type(screen).__name__.removesuffix("Screen")
    return "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(name)).strip()
