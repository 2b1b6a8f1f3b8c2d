"""A footer that fits the terminal: `? Help` and `q Quit` always show; the screen's keys follow in the
order the screen declares them (most important first) for as long as they fit; the rest are under `?`.

Textual's Footer lays every key out in one row and the last ones (the app's Help and Quit) fall off at 80
columns. Widths follow FooterKey's default style: key padded by one on each side, one space after the
description.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # the key widget Footer itself composes

ESSENTIAL = ("help", "quit", "app.help", "app.quit")  # actions shown whatever the width
PALETTE_WIDTH = 14  # "▏ ^p palette " docked on the right
Entry = tuple[Binding, bool, str]


def key_width(app_key: str, description: str) -> int:
    return len(app_key) + len(description) + 3


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self.laid_out_for = 0

    def entries(self) -> list[Entry]:
        seen: dict[str, Entry] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen:
                seen[binding.action] = (binding, enabled, tooltip)
        return list(seen.values())

    def fitting(self, width: int) -> list[Entry]:
        """The entries shown at `width` columns: the screen's first keys that fit, then the essential ones."""
        entries = self.entries()
        essential = [e for e in entries if e[0].action in ESSENTIAL]
        budget = width - PALETTE_WIDTH - sum(self.width_of(e) for e in essential)
        shown: list[Entry] = []
        for entry in entries:
            if entry in essential:
                continue
            budget -= self.width_of(entry)
            if budget < 0:
                break
            shown.append(entry)
        return shown + essential

    def width_of(self, entry: Entry) -> int:
        return key_width(self.app.get_key_display(entry[0]), entry[0].description)

    def compose(self) -> ComposeResult:
        if not getattr(self, "_bindings_ready", True):
            return
        self.laid_out_for = self.app.size.width
        shown = self.fitting(self.laid_out_for)
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, tooltip in shown:
            key = FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled, tooltip=tooltip)
            yield key.data_bind(compact=Footer.compact)
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            _, binding, enabled, tooltip = palette
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, classes="-command-palette", disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)

    def on_resize(self, event: Resize) -> None:
        if self.app.size.width != self.laid_out_for:
            self.call_after_refresh(self.recompose)
