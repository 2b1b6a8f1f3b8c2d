"""The command palette's providers (ctrl+p), imported when the palette first opens (`AppBuilderApp.COMMANDS`
holds callables), so Textual's palette code is not loaded before the first frame. Order and grouping:
tui/commands.py."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.message import Message
from textual.screen import Screen

from tui.commands import COMMANDS, GROUP_WEIGHTS, Entry, screen_actions
from tui.messages import OpenApp, OpenJob
from tui.printable import one_line
from tui.protocols import AppHost
from tui.services import ServiceError


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


def highlighted(matcher: Matcher, title: str) -> Content:
    """`matcher.highlight(title)` without reading `title` as markup: it is a job's or an app's title, the
    server's words (a "[/]" in one raised MarkupError, and its offsets would not match the text shown)."""
    content = Content(title)
    for offset in matcher.fuzzy_search.match(matcher.query, title)[1]:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def literal(text: str) -> str:
    """`text` as Textual markup that shows it as it is (a Hit's help is always read as markup)."""
    return text.replace("[", "\\[")


class OpenByTitle(Provider):
    """Search only (no discovery list): type part of a job's or app's title to open it. The newest
    `JOB_LIMIT` jobs and every app are read once when the palette opens; errors just mean no hits. Titles
    and words from the server are shown without terminal controls and never as markup.
    """

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
            title = " ".join(one_line(job.title or job.initial_prompt).split())[:80]
            status = literal(one_line(job.status))
            self.entries.append((f"Job #{job.id}: {title}", f"Open the build ({status})", OpenJob(job.id)))
        for app in apps:
            self.entries.append((f"App: {one_line(app.name)}", f"Open the app (job #{app.job})",
                                 OpenApp(app.id)))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, text, message in self.entries:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score * 0.8, highlighted(matcher, title), partial(self.app.post_message, message),
                          help=text)
