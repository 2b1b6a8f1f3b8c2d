"""Help: every key binding, per screen (read from the screens' BINDINGS so it never goes stale)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.commands import APP_BINDINGS
from tui.screens.app_detail import AppDetailScreen
from tui.screens.apps import AppsScreen
from tui.screens.create_project import CreateProjectScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.live_build import LiveBuildScreen
from tui.screens.login import LoginScreen
from tui.screens.profile import ProfileScreen

# (section title, its bindings, the class they belong to), in the order the help shows them.
SCREENS: tuple[tuple[str, Iterable[BindingType], str], ...] = (
    ("Global", APP_BINDINGS, "AppBuilderApp"),
    *((title, cls.BINDINGS, cls.__name__) for title, cls in (
        ("Dashboard", DashboardScreen),
        ("Create project", CreateProjectScreen),
        ("Live build", LiveBuildScreen),
        ("Apps", AppsScreen),
        ("App detail", AppDetailScreen),
        ("Profile", ProfileScreen),
        ("Login", LoginScreen),
    )),
)
EXTRA: dict[str, list[tuple[str, str]]] = {
    "Global": [("ctrl+p", "Command palette: every action by name"), ("↑ ↓ pgup pgdn", "Move in lists"),
               ("home end j k", "First / last row, down / up in tables (g G in lists)"),
               ("tab shift+tab", "Next / previous field")],
}
DEV_ACTIONS = frozenset({"purge", "delete_message", "add_message", "show_tab('tab-messages')"})
KEY_NAMES = {"question_mark": "?", "slash": "/", "escape": "esc", "full_stop": ".", "plus": "+",
             "minus": "-", "space": "space", "exclamation_mark": "!"}

Section = tuple[str, list[tuple[str, str]]]


def key_label(keys: str) -> str:
    return " ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def rows_of(bindings: Iterable[BindingType], dev: bool = True) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for item in bindings:
        binding = item if isinstance(item, Binding) else Binding(*item)
        description = binding.description or binding.tooltip
        if description and (dev or binding.action not in DEV_ACTIONS):  # no keys that do nothing here
            rows.append((key_label(binding.key), description))
    return rows


def title_of(screen_class_name: str) -> str | None:
    """The help section of a screen class ('LiveBuildScreen' -> 'Live build')."""
    return next((title for title, _, name in SCREENS if name == screen_class_name), None)


def default_sections(names: Iterable[str] | None = None, dev: bool = True) -> list[Section]:
    """Sections for the named screens (all by default), in SCREENS order."""
    wanted = set(names) if names is not None else None
    sections: list[Section] = []
    for title, bindings, _ in SCREENS:
        if wanted is not None and title not in wanted:
            continue
        rows = rows_of(bindings, dev) + EXTRA.get(title, [])
        if rows:
            sections.append((title, rows))
    return sections


def render_section(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=Text(title, style="bold"), title_justify="left", show_header=False, box=None,
                  padding=(0, 2, 0, 0), expand=False)
    table.add_column("key", style="bold", min_width=14, no_wrap=True)
    table.add_column("action")
    for key, description in rows:
        table.add_row(key, description)
    return table


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, sections: list[Section] | None = None, current: str | None = None,
                 dev: bool = True) -> None:
        super().__init__()
        self.sections = sections if sections is not None else default_sections(dev=dev)
        if current:  # the screen the user came from goes first
            self.sections.sort(key=lambda section: section[0] != current)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keyboard shortcuts  (esc closes, ↑↓ scroll)", id="help-title")
            with VerticalScroll(id="help-body", can_focus=True):
                for title, rows in self.sections:
                    yield Static(render_section(title, rows), classes="help-section")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
