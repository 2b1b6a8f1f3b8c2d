"""Command palette provider (ctrl+p): every global action of the app, fuzzy-searchable."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

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


class AppBuilderCommands(Provider):
    """Palette entries for the app's actions; purge only appears in dev mode."""

    def entries(self) -> list[tuple[str, str, str]]:
        dev = bool(getattr(self.app, "dev_mode", False))
        return [(title, text, action) for title, text, action, dev_only in COMMANDS if dev or not dev_only]

    async def discover(self) -> Hits:
        for title, text, action in self.entries():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, text, action in self.entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.app.run_action, action), help=text)
