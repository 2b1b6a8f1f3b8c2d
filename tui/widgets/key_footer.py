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
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # the key widget Footer itself composes

ESSENTIAL = ("help", "quit", "app.help", "app.quit")  # actions shown whatever the width
PALETTE_WIDTH = 14  # "▏ ^p palette " docked on the right
Entry = tuple[Binding, bool, str]


def key_width(app_key: str, description: str) -> int:
    return len(app_key) + len(description) + 3


class KeyFooter(Footer):
    """Recomposes only when what it shows changes, at most once per refresh.

    Textual's Footer recomposes on every `bindings_updated_signal`; while a screen mounts that signal fires
    about ten times with the same keys, and each recompose styles a fresh row of FooterKeys (~85 ms of a
    cold start)."""

    def __init__(self) -> None:
        super().__init__()
        self.laid_out_for = 0
        self.shown_keys: tuple[object, ...] | None = None  # what the last compose drew
        self.recompose_pending = False

    def signature(self) -> tuple[object, ...]:
        """Everything compose() draws from: the width, the keys shown, their state, the palette key."""
        width = self.app.size.width
        shown = tuple((b.key, b.action, b.description, enabled, tooltip)
                      for b, enabled, tooltip in self.fitting(width))
        palette = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        palette_key = (palette[1].key, palette[2], palette[3]) if palette is not None else None
        return (width, shown, palette_key, self.show_command_palette, self.compact)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self.recompose_pending:
            self.recompose_pending = True
            self.call_after_refresh(self.recompose_if_changed)

    async def recompose_if_changed(self) -> None:
        self.recompose_pending = False
        if self.is_attached and self.signature() != self.shown_keys:
            await self.recompose()

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
        self.shown_keys = self.signature()
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
