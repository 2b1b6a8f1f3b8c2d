"""Profile: who is logged in, where, and until when; logout; staff also see every user."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.messages import AuthLost
from tui.printable import one_line
from tui.protocols import AppHost
from tui.screens.confirm import ask
from tui.services import ServiceError, User
from tui.widgets.feedback import go_back, when
from tui.widgets.key_footer import KeyFooter
from tui.widgets.nav_table import ListTable


class ProfileScreen(Screen[None]):
    CSS_PATH = "profile.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("l", "logout", "Log out"),
        Binding("r", "reload", "Reload"),
    ]
    host = AppHost()

    def __init__(self) -> None:
        super().__init__()
        self.user: User | None = None
        self.users: list[User] = []
        self.state = "loading"
        self.shown_login: object = None

    def compose(self) -> ComposeResult:
        yield Static("Profile", id="profile-title")
        yield Static("Loading your profile…", id="profile-facts")
        yield Static("", id="users-title")
        yield ListTable(id="users-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        """Back from logging in again: the session (token expiry, maybe the user) is a new one."""
        if self.is_current and self.state != "loading" and self.login_of_app() is not self.shown_login:
            self.load()

    def login_of_app(self) -> object:
        return self.host.user  # a new object at every login

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in (("id", 5), ("username", 20), ("email", 28), ("staff", 6), ("joined", 17)):
            table.add_column(name, key=name, width=width)
        self.load()

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        client = self.host.client
        self.state = "loading"
        self.shown_login = self.login_of_app()
        try:
            self.user = await client.me()
        except ServiceError as err:
            self.host.report(err)
            self.state = "error"
            self.show_facts(error=err.message)
            return
        self.show_facts()
        if self.user.is_staff:
            try:
                self.users = await client.list_users()
            except ServiceError as err:
                self.host.report(err)
                self.query_one("#users-title", Static).update(
                    Text(f"Could not list users: {one_line(err.message)}"))
            else:
                self.show_users()
        self.state = "ready"

    def show_facts(self, error: str | None = None) -> None:
        client = self.host.client
        session = client.session
        rows: list[tuple[str, str]] = []
        if self.user is not None:
            rows += [("username", self.user.username), ("email", self.user.email or "-"),
                     ("role", "staff (admin)" if self.user.is_staff else "user")]
        elif session is not None:
            rows.append(("username", session.username))
        rows.append(("server", session.server_url if session else client.server_url))
        expiry = session.access_expires_at if session else None
        rows.append(("access token expires", when(expiry) if expiry else "unknown"))
        text = Text()
        for label, value in rows:  # the server's words: no terminal controls
            text.append(f"{label:>22}  ", style="dim")
            text.append(f"{one_line(value)}\n")
        if error:
            text.append(f"\nCould not load your profile: {one_line(error)} (r retries)", style="bold red")
        self.query_one("#profile-facts", Static).update(text)

    def show_users(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for user in self.users:  # Text cells: DataTable reads a str cell as markup
            table.add_row(str(user.id), Text(one_line(user.username)), Text(one_line(user.email or "-")),
                          "yes" if user.is_staff else "", when(user.date_joined), key=str(user.id))
        self.query_one("#users-title", Static).update(Text(f"Users ({len(self.users)})", style="bold"))
        table.add_class("-visible")
        table.focus()

    def action_logout(self) -> None:
        self.logout()

    @work(exclusive=True, group="logout")
    async def logout(self) -> None:
        if not await ask(self, "Log out of this server?"):
            return
        try:
            await self.host.client.logout()
        except ServiceError as err:
            self.host.report(err)
            return
        self.post_message(AuthLost("You logged out."))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        go_back(self)
