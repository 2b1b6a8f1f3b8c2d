"""Reusable confirmation modals: y/n confirm, and a typed confirm for destructive actions."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from tui.printable import printable


async def ask(screen: Screen[Any], question: str) -> bool:
    """Ask a yes/no question and wait for the answer: await it from a worker (push_screen_wait)."""
    yes: bool = await screen.app.push_screen_wait(ConfirmScreen(question))
    return yes


class ConfirmScreen(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True (y) or False (n / escape); enter presses the focused
    button, which is No for a destructive question (danger) so a stray enter never deletes anything.

    The question often quotes the server (a job title, a message, a file name): it is drawn as Text without
    terminal controls, never as markup (a "[/]" in a title raised MarkupError)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
        Binding("left,right,tab,shift+tab", "toggle_focus", "Switch", show=False),
    ]

    def __init__(self, question: str, *, title: str = "Confirm", yes_label: str = "Yes",
                 danger: bool = True) -> None:
        super().__init__()
        self.question = question
        self.title_text = title
        self.yes_label = yes_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="-danger" if self.danger else ""):
            yield Static(self.title_text, id="confirm-title")
            yield Label(Text(printable(self.question)), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes_label} (y)", id="confirm-yes",
                             variant="error" if self.danger else "primary")
                yield Button("No (n)", id="confirm-no")
            yield Static("y: yes    n / escape: no    enter: the highlighted button", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-no" if self.danger else "#confirm-yes", Button).focus()

    def action_toggle_focus(self) -> None:
        target = "#confirm-no" if self.focused and self.focused.id == "confirm-yes" else "#confirm-yes"
        self.query_one(target, Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class TypedConfirmScreen(ModalScreen[bool]):
    """Destructive confirmation: the user must type `word` exactly, then enter. Escape cancels."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, word: str, *, title: str = "Are you sure?") -> None:
        super().__init__()
        self.question = question
        self.word = word
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="-danger"):
            yield Static(self.title_text, id="confirm-title")
            yield Label(Text(printable(self.question)), id="confirm-question")
            yield Label(f"Type [b]{self.word}[/b] and press enter to confirm, escape to cancel.",
                        classes="hint")
            yield Input(placeholder=self.word, id="confirm-input")
            yield Static("", id="confirm-error")

    def on_mount(self) -> None:
        self.query_one("#confirm-input", Input).focus()

    @on(Input.Submitted, "#confirm-input")
    def submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.word:
            self.dismiss(True)
            return
        self.query_one("#confirm-error", Static).update(f"That is not '{self.word}': nothing was deleted.")

    @on(Input.Changed, "#confirm-input")
    def changed(self) -> None:
        self.query_one("#confirm-error", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(False)
