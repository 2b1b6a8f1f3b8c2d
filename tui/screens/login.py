"""Login / register form: server URL, username, password; errors in words, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static, Tab, Tabs

from tui.printable import one_line
from tui.protocols import AppHost, Client
from tui.services import AuthRequired, ServerUnavailable, ServiceError, User, ValidationFailed
from tui.services.connection import ConnectionState
from tui.services.http import normalize_url
from tui.widgets.connection import ConnectionIndicator, unreachable
from tui.widgets.key_footer import KeyFooter

FIELDS = ("server", "username", "password", "email")
WRONG_CREDENTIALS = "Wrong username or password."


@dataclass
class LoginResult:
    """What the screen dismisses with: the client that is now logged in, and who."""

    client: Client
    user: User


class LoginScreen(Screen[LoginResult | None]):
    CSS_PATH = "login.tcss"
    BINDINGS = [
        Binding("ctrl+t", "toggle_mode", "Login/Register"),
        Binding("ctrl+s", "submit", "Submit"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]
    host = AppHost()

    def __init__(self, reason: str = "", relogin: bool = False) -> None:
        super().__init__()
        self.reason = reason
        self.relogin = relogin
        self.mode = "login"
        self.busy = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="login-header"):
            yield Static("appbuilder", id="login-brand")
            yield ConnectionIndicator(id="login-connection")
        with Vertical(id="login-box"):
            yield Static(Text(one_line(self.reason)), id="login-reason",
                         classes="" if self.reason else "-hidden")
            yield Tabs(Tab("Log in", id="login"), Tab("Register", id="register"), id="login-mode")
            for name, label in (("server", "Server URL"), ("username", "Username"), ("password", "Password"),
                                ("email", "Email")):
                with Vertical(id=f"{name}-row", classes="field"):
                    with Horizontal(classes="field-line"):
                        yield Label(label)
                        yield Input(self.initial_values().get(name, ""), id=name, password=name == "password",
                                    placeholder=label)
                    yield Static("", id=f"{name}-error", classes="field-error")
            yield Button("Log in", id="login-submit", variant="primary")
            yield Static("", id="login-error")
            yield Static("enter submits · ctrl+t switches login/register · tab next field", classes="hint")
        yield KeyFooter()

    def initial_values(self) -> dict[str, str]:
        values = {"server": self.host.client.server_url}
        user = self.host.user
        if self.relogin and user is not None:
            # typed in again as shown: a control character in a username the server sent is dropped (no
            # username that logs in has one; an Input draws its value as it is)
            values["username"] = one_line(user.username)
        return values

    def on_mount(self) -> None:
        try:
            email_row = self.query_one("#email-row")
            username, password = self.query_one("#username", Input), self.query_one("#password", Input)
        except NoMatches:  # the app ended before this first mount ran and took the fields away
            return
        email_row.display = False
        (password if username.value else username).focus()

    # ----- mode -------------------------------------------------------------------------------------
    def action_toggle_mode(self) -> None:
        tabs = self.query_one(Tabs)
        tabs.active = "register" if self.mode == "login" else "login"

    @on(Tabs.TabActivated, "#login-mode")
    def mode_changed(self, event: Tabs.TabActivated) -> None:
        self.mode = event.tab.id or "login"
        register = self.mode == "register"
        self.query_one("#email-row").display = register
        self.query_one("#login-submit", Button).label = "Register" if register else "Log in"
        self.clear_errors()

    def show_reason(self, reason: str) -> None:
        label = self.query_one("#login-reason", Static)
        label.update(Text(one_line(reason)))
        label.set_class(not reason, "-hidden")

    # ----- submit -----------------------------------------------------------------------------------
    @on(Input.Submitted)
    @on(Button.Pressed, "#login-submit")
    def submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if self.busy:
            return
        values = {name: self.query_one(f"#{name}", Input).value.strip() for name in FIELDS}
        values["password"] = self.query_one("#password", Input).value
        values["server"] = normalize_url(values["server"])
        self.clear_errors()
        missing = {name: "Required." for name in ("server", "username", "password") if not values[name]}
        if missing:
            self.show_field_errors({k: [v] for k, v in missing.items()})
            self.query_one(f"#{next(iter(missing))}", Input).focus()
            return
        self.query_one("#server", Input).value = values["server"]
        self.authenticate(values)

    @work(exclusive=True, group="login")
    async def authenticate(self, values: dict[str, str]) -> None:
        current = self.host.client
        url = values["server"]
        same = normalize_url(current.server_url) == url
        client = current if same else self.host.make_client(url)
        self.set_busy(True)
        user: User | None = None
        try:
            if self.mode == "register":
                user = await client.register(values["username"], values["password"], values["email"])
            else:
                user = await client.login(values["username"], values["password"])
        except ServerUnavailable as err:
            self.host.show_connection(ConnectionState.OFFLINE)
            self.show_error(unreachable(url, err))
        except AuthRequired:
            self.host.show_connection(ConnectionState.LIVE)
            self.show_error(WRONG_CREDENTIALS)
            self.query_one("#password", Input).focus()
        except ValidationFailed as err:
            self.show_error("")
            if not self.show_field_errors(err.fields):
                self.show_error(err.message)
        except ServiceError as err:
            self.show_error(err.message)
        finally:
            self.set_busy(False)
        if user is None:
            if client is not current:
                await client.aclose()
            return
        self.dismiss(LoginResult(client=client, user=user))

    # ----- feedback ---------------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        button = self.query_one("#login-submit", Button)
        button.disabled = busy
        if busy:
            self.show_error("")
            label = self.query_one("#login-error", Static)
            label.update("Contacting the server…")
            label.add_class("-visible")

    def clear_errors(self) -> None:
        for name in FIELDS:
            self.set_field_error(name, "")
        self.show_error("")

    def set_field_error(self, name: str, text: str) -> None:
        label = self.query_one(f"#{name}-error", Static)
        label.update(Text(one_line(text)))
        label.set_class(bool(text), "-visible")

    def show_error(self, text: str) -> None:
        """`text` may be the server's words (an error's message): shown as Text, without terminal controls
        (so are the reason and the field errors)."""
        label = self.query_one("#login-error", Static)
        label.update(Text(one_line(text)))
        label.set_class(bool(text), "-error")
        label.set_class(bool(text), "-visible")

    def show_field_errors(self, fields: dict[str, list[str]]) -> bool:
        """Put field messages under their inputs; others go to the general line. True if any shown."""
        general: list[str] = []
        for name, messages in fields.items():
            text = " ".join(messages)
            if name in FIELDS:
                self.set_field_error(name, text)
            else:
                general.append(text)
        if general:
            self.show_error(" ".join(general))
        return bool(fields)
