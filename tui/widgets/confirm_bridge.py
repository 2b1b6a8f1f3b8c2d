"""Ask a yes/no question from a worker: uses the shared confirm modal (tui/screens/confirm.py) if present."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label


class _FallbackConfirm(ModalScreen[bool]):
    """Minimal y/n modal, used only until the shared confirm screen exists."""

    DEFAULT_CSS = """
    _FallbackConfirm { align: center middle; }
    _FallbackConfirm > Vertical { width: 60; height: auto; border: thick $warning; background: $surface;
                                  padding: 1 2; }
    _FallbackConfirm .hint { color: $text-muted; padding-top: 1; }
    """
    BINDINGS = [Binding("y,enter", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            yield Label("y / enter: yes    n / escape: no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


async def ask(screen: Screen, question: str) -> bool:
    """Must be awaited from a worker (uses push_screen_wait)."""
    modal: ModalScreen[bool]
    try:
        from tui.screens.confirm import ConfirmScreen  # type: ignore[import-not-found]

        modal = ConfirmScreen(question)
    except (ImportError, TypeError):
        modal = _FallbackConfirm(question)
    return bool(await screen.app.push_screen_wait(modal))
