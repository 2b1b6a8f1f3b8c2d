"""The chat input of the Live build screen: while it is empty, the tab keys (1/2/3) switch tabs.

An `Input` takes every printable key, so the screen's `1`/`2`/`3` bindings never fired while the input had
focus (it does whenever the agent is collecting requirements). Digits typed after the first character, or
into a non-empty input, are text as usual.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

TAB_KEYS = frozenset("123")


class ChatInput(Input):
    def tab_key(self, character: str | None) -> bool:
        return not self.value and character in TAB_KEYS

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return not self.tab_key(character) and super().check_consume_key(key, character)

    async def _on_key(self, event: events.Key) -> None:
        if self.tab_key(event.character):
            event.prevent_default()  # skip Input's handler; the key bubbles on to the screen's binding
            return
