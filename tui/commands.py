"""Command palette (ctrl+p): one provider, in a fixed order: the app's own commands, then what the current
screen can do, then what the focused widget can do (table moves and the like), then Textual's system
commands (theme, keys, screenshot).

One provider rather than several because the palette shows discovery hits in the order they arrive and
runs providers concurrently: with several, generic table moves could come before "New project". When
searching, the same order is kept by weighting the fuzzy score per group.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.screen import Screen

from tui.messages import OpenApp, OpenJob
from tui.protocols import AppHost
from tui.services import ServiceError

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


class AppBuilderCommands(Provider):
    """Every palette entry, app commands first; purge only appears in dev mode."""

    host = AppHost()

    def groups(self) -> list[list[Entry]]:
        dev = self.host.dev_mode
        app_entries: list[Entry] = [(title, text, partial(self.app.run_action, action))
                       for title, text, action, dev_only in COMMANDS if dev or not dev_only]
        screen_entries: list[Entry] = []
        widget_entries: list[Entry] = []
        for title, text, action, node in screen_actions(self.screen):
            group = screen_entries if isinstance(node, Screen) or node is self.app else widget_entries
            group.append((title, text, partial(self.app.run_action, action, node)))
        taken = {title for title, _, _ in app_entries + screen_entries + widget_entries}
        system = [(name, text, callback) for name, text, callback, discover
                  in self.app.get_system_commands(self.screen) if discover and name not in taken]
        return [app_entries, screen_entries, widget_entries, system]

    async def discover(self) -> Hits:
        for group in self.groups():
            for title, text, run in group:
                yield DiscoveryHit(title, run, help=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for weight, group in zip(GROUP_WEIGHTS, self.groups(), strict=True):
            for title, text, run in group:
                score = matcher.match(title)
                if score > 0:
                    yield Hit(score * weight, matcher.highlight(title), run, help=text)


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


class OpenByTitle(Provider):
    """Search only (no discovery list): type part of a job's or app's title to open it. The newest
    `JOB_LIMIT` jobs and every app are read once when the palette opens; errors just mean no hits."""

    JOB_LIMIT = 500
    host = AppHost()

    async def startup(self) -> None:
        self.entries: list[tuple[str, str, Message]] = []
        if self.host.user is None:  # not logged in: nothing to open
            return
        client = self.host.client
        try:
            page = await client.list_jobs_page(limit=self.JOB_LIMIT)
            apps = await client.list_apps()
        except ServiceError:
            return
        for job in page.results:
            title = " ".join((job.title or job.initial_prompt).split())[:80]
            self.entries.append((f"Job #{job.id}: {title}", f"Open the build ({job.status})",
                                 OpenJob(job.id)))
        for app in apps:
            self.entries.append((f"App: {app.name}", f"Open the app (job #{app.job})", OpenApp(app.id)))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, text, message in self.entries:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score * 0.8, matcher.highlight(title), partial(self.app.post_message, message),
                          help=text)
