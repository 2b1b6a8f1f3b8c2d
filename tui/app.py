"""AppBuilderApp: holds the client, routes navigation messages, shows login when the session is lost."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Static
from textual.worker import WorkerFailed

from tui import locations
from tui.bulk import tune_gc
from tui.commands import APP_BINDINGS
from tui.logs import log_path
from tui.messages import (
    AuthLost,
    JobsChanged,
    NewProject,
    OpenApp,
    OpenApps,
    OpenDashboard,
    OpenJob,
    OpenProfile,
)
from tui.printable import one_line
from tui.protocols import Client
from tui.services import ServerUnavailable, ServiceError
from tui.services.connection import ConnectionState
from tui.widgets.connection import ConnectionIndicator, unreachable
from tui.widgets.feedback import deliver

# What is below (pydantic models, httpx, the screens) is imported where it is first used: `run_tui` imports
# this module in a thread while the start-up requests travel (tui/start_requests.py).
if TYPE_CHECKING:
    from textual.command import Provider
    from textual.theme import Theme

    from tui.config import Settings
    from tui.screens.dashboard import DashboardScreen
    from tui.screens.login import LoginResult
    from tui.services import ServerInfo, User
    from tui.start_requests import StartRequests

ClientFactory = Callable[[str], Client]
INTERRUPT_FOREVER = 1e9
FIRST_PAGE_WAIT = 0.5  # seconds the splash waits for the first page of jobs (then: "Loading projects…")
EARLY_ROWS_HOLD = 2.0  # seconds at most the app's frames are held behind rows painted before Textual

log = logging.getLogger(__name__)


def build_alert(text: str) -> str:
    """A terminal bell, then the desktop-notification escapes of iTerm2/kitty/WezTerm (OSC 9) and
    urxvt/foot/Ghostty (OSC 777); terminals that know neither ignore them."""
    clean = "".join(ch for ch in text if ch.isprintable())
    return f"\a\x1b]9;{clean}\x07\x1b]777;notify;appbuilder;{clean}\x07"


def app_commands() -> type[Provider]:
    """The palette's own provider, imported when the palette first opens."""
    from tui.palette import AppBuilderCommands

    return AppBuilderCommands


def open_by_title() -> type[Provider]:
    from tui.palette import OpenByTitle

    return OpenByTitle


def import_dashboard() -> None:
    """Run in a thread while the start-up requests are in flight."""
    from tui.screens import dashboard  # noqa: F401


class AppBuilderApp(App[None]):
    """The shell; implements `ScreenHost` (tui/protocols.py), what screens reach through `self.host`."""

    # The dashboard's rules are read with the app's: it is the first screen of nearly every start, and a
    # screen that brings new CSS makes Textual re-parse every rule and restyle every widget when pushed.
    CSS_PATH = ["app.tcss", "screens/dashboard.tcss"]
    TITLE = "appbuilder"
    COMMANDS = {app_commands, open_by_title}  # one ordered list, plus jobs and apps by title (search)
    BINDINGS = APP_BINDINGS
    INTERRUPT_SECONDS = 3.0  # a second ctrl+c within this quits even with typed text

    connection_state: reactive[ConnectionState] = reactive(ConnectionState.CONNECTING)

    def __init__(self, client: Client, dev_mode: bool = False,
                 server_info: ServerInfo | None = None, *, client_factory: ClientFactory | None = None,
                 clock: Callable[[], datetime] | None = None, settings: Settings | None = None,
                 start: StartRequests | None = None, on_screen: Callable[[], None] | None = None,
                 early_rows: bool = False) -> None:
        """`start`: the start-up requests if `run_tui` began them (else the boot does); `on_screen` is
        called once the app is mounted (its driver owns the terminal: tui/early_splash.py); `early_rows`:
        the terminal already shows the dashboard's rows (painted before Textual): no frame is drawn until
        the dashboard has them too, rather than the "connecting…" splash over them for a moment."""
        super().__init__()
        self.held_frames: ExitStack | None = None
        self.held_keys: list[events.Key] = []  # typed on the rows painted before Textual: for the dashboard
        if early_rows:
            self.held_frames = ExitStack()
            self.held_frames.enter_context(self.batch_update())
        if settings is None:
            from tui.config import Settings

            settings = Settings()  # defaults only
        self.settings: Settings = settings
        self.client = client
        self.start_requests = start
        self.on_screen = on_screen
        self.server_info = server_info
        self.dev_mode = dev_mode  # --dev (or --demo) only: what the server allows is checked on use
        self.user: User | None = None
        self.client_factory = client_factory
        self.clock = clock  # fixed in snapshot tests; screens fall back to the real time
        self.interrupted_at = -INTERRUPT_FOREVER
        self.followed_builds: set[int] = set()  # jobs whose Live build screen was opened: alert when they end

    # ----- start-up ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """A neutral frame (neither login nor dashboard) until the session is known."""
        yield ConnectionIndicator(id="splash-connection")
        yield Static(f"appbuilder — connecting to {self.client.server_url}…", id="splash")

    def on_mount(self) -> None:
        tune_gc()
        if self.held_frames is not None:  # never held for long, whatever the boot meets
            self.set_timer(EARLY_ROWS_HOLD, self.release_frames)
        if self.on_screen is not None:
            self.on_screen()
        self.apply_settings()
        self.install_auth_hook(self.client)
        self.boot()

    def release_frames(self) -> None:
        """Draw again after `early_rows` held the frames (once; later calls do nothing)."""
        held, self.held_frames = self.held_frames, None
        if held is not None:
            held.close()
            self.screen.refresh()
            self.call_after_refresh(self.replay_keys)  # on the frame drawn, with its focus settled

    def replay_keys(self) -> None:
        keys, self.held_keys = self.held_keys, []
        for key in keys:
            replayed = events.Key(key.key, key.character)
            replayed.set_sender(self)  # as the driver's keys: from the app (a screen's would stop below it)
            self.post_message(replayed)

    async def on_event(self, event: events.Event) -> None:
        """While the frames are held (the terminal shows rows painted before Textual) keys are kept, not
        given to a screen the user cannot see: `release_frames` replays them to the dashboard."""
        if self.held_frames is not None and isinstance(event, events.Key) and not event.is_forwarded:
            self.held_keys.append(event)
            return
        await super().on_event(event)

    def apply_settings(self) -> None:
        """The config file's theme and keymap; from then on a theme picked in the palette is saved."""
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        if self.settings.theme:
            if self.settings.theme in self.available_themes:
                self.theme = self.settings.theme
            else:
                self.notify(f"Unknown theme {self.settings.theme!r} in the config file; using {self.theme}.",
                            severity="warning", markup=False)
        self.theme_changed_signal.subscribe(self, self.save_theme)

    def save_theme(self, theme: Theme) -> None:
        from tui.config import ConfigError, save_setting

        if theme.name == self.settings.theme:
            return
        path = locations.config_file()
        try:
            save_setting(path, "theme", theme.name)
        except (ConfigError, OSError, ValueError) as err:
            self.notify(f"Theme not saved: {err}".splitlines()[0], severity="warning", markup=False)
            return
        self.settings.theme = theme.name

    @work(exclusive=True, group="boot")
    async def boot(self) -> None:
        """Server info and the saved session at once (usually begun by `run_tui` already, see
        tui/start_requests.py), and the dashboard's code imported meanwhile in a thread (the requests travel
        and the server answers while it loads); a valid session asks for the list's first page at once.
        Then the dashboard, or the login form."""
        from tui.services.records import User
        from tui.start_requests import StartRequests

        start = self.start_requests or StartRequests(self.client, ask_info=self.server_info is None)
        self.start_requests = None
        if start.info is not None and not start.info.done():
            self.show_connection(ConnectionState.CONNECTING)
        info_error, restored, _ = await asyncio.gather(  # one round trip for the session, one for the page
            self.take_server_info(start.info), start.session, asyncio.to_thread(import_dashboard))
        user = restored if isinstance(restored, User) else None
        reason = restored.message if isinstance(restored, ServiceError) else ""
        if isinstance(info_error, ServerUnavailable):  # say so on the form, not only "offline" in a corner
            reason = unreachable(self.client.server_url, info_error)
        if user is not None:
            from tui.screens.dashboard import DashboardScreen

            first_page = start.first_page
            if first_page is not None:  # one frame with the rows rather than "Loading projects…" first
                await asyncio.wait([first_page.task], timeout=FIRST_PAGE_WAIT)
            self.user = user
            self.show_connection(ConnectionState.LIVE)
            self.push_screen(DashboardScreen(first_page=first_page, on_first_rows=self.release_frames))
            return
        from tui.screens.login import LoginScreen

        self.release_frames()
        self.push_screen(LoginScreen(reason=reason), self.after_first_login)

    async def load_server_info(self) -> ServiceError | None:
        """The server's /api/meta/ unless it is known; the error (not raised) if it could not be read."""
        from tui.start_requests import ask_server_info

        if self.server_info is not None:
            return await self.take_server_info(None)
        self.show_connection(ConnectionState.CONNECTING)
        return await self.take_server_info(ask_server_info(self.client))

    async def take_server_info(self, asked: Awaitable[ServerInfo | ServiceError] | None
                               ) -> ServiceError | None:
        """Keep the answer to a request for the server's info (None: none was made, the info is known), or
        show the connection offline and return the error."""
        info = None if asked is None else await asked
        if isinstance(info, ServiceError):
            self.show_connection(ConnectionState.OFFLINE)
            return info
        if info is not None:
            self.server_info = info
        self.show_connection(ConnectionState.LIVE)
        return None

    def show_connection(self, state: ConnectionState) -> None:
        """The only writer of `connection_state` (the indicators watch it)."""
        self.connection_state = state

    def install_auth_hook(self, client: Client) -> None:
        client.on_auth_lost = self.auth_lost_from_client

    def auth_lost_from_client(self, reason: str) -> None:
        if threading.get_ident() == self._thread_id:
            self.post_message(AuthLost(reason))
        else:
            self.call_from_thread(self.post_message, AuthLost(reason))

    def report(self, err: ServiceError) -> None:
        """The one path for a service error (tui/widgets/feedback.py: deliver)."""
        deliver(self, err)

    def make_client(self, server_url: str) -> Client:
        """A client for another server URL, sharing the token store."""
        if self.client_factory is not None:
            return self.client_factory(server_url)
        from tui.services.client import ApiClient

        store = self.client.token_store if isinstance(self.client, ApiClient) else None
        return ApiClient(server_url, token_store=store)

    # ----- login ------------------------------------------------------------------------------------
    def adopt(self, result: LoginResult) -> bool:
        """Take the logged-in client; True if the server or the user changed."""
        changed = result.client is not self.client or (self.user is not None and
                                                        self.user.username != result.user.username)
        if result.client is not self.client:
            old, self.client = self.client, result.client
            self.install_auth_hook(self.client)
            self.server_info = None
            self.close_client(old)
        self.user = result.user
        self.show_connection(ConnectionState.LIVE)
        return changed

    @work(group="close")
    async def close_client(self, client: Client) -> None:
        try:
            await client.aclose()
        except Exception:  # noqa: BLE001 - closing a dead client must never crash the app
            pass

    async def after_first_login(self, result: LoginResult | None) -> None:
        from tui.screens.dashboard import DashboardScreen

        if result is None:
            self.exit()
            return
        self.adopt(result)
        await self.load_server_info()
        self.push_screen(DashboardScreen())

    async def after_relogin(self, result: LoginResult | None) -> None:
        from tui.screens.dashboard import DashboardScreen

        if result is None:
            self.exit()
            return
        if self.adopt(result):
            await self.load_server_info()
            while len(self.screen_stack) > 1:
                self.pop_screen()
            self.push_screen(DashboardScreen())
        self.notify(f"Logged in as {one_line(result.user.username)}.", markup=False)

    def on_auth_lost(self, message: AuthLost) -> None:
        from tui.screens.login import LoginScreen

        login = next((s for s in self.screen_stack if isinstance(s, LoginScreen)), None)
        if login is not None:  # already asking: just say why
            login.show_reason(message.reason)
            return
        if self.user is None:  # not logged in yet: boot() shows the login form itself
            return
        # The session ended, not the connection: the indicator keeps saying whether the server answers.
        self.push_screen(LoginScreen(reason=message.reason, relogin=True), self.after_relogin)

    # ----- navigation -------------------------------------------------------------------------------
    def dashboard(self) -> DashboardScreen | None:
        from tui.screens.dashboard import DashboardScreen

        return next((s for s in reversed(self.screen_stack) if isinstance(s, DashboardScreen)), None)

    def on_open_job(self, message: OpenJob) -> None:
        from tui.screens.create_project import CreateProjectScreen
        from tui.screens.live_build import LiveBuildScreen

        screen = LiveBuildScreen(message.job_id)
        if isinstance(self.screen, CreateProjectScreen):  # the new project's build replaces its form
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        self.followed_builds.add(message.job_id)
        self.watch(screen, "status", partial(self.build_status, screen, message.job_id), init=False)

    # ----- build notifications ----------------------------------------------------------------------
    def build_status(self, screen: Screen, job_id: int, status: str) -> None:
        """A build this user is watching ended: alert when they are elsewhere (another screen on top, or
        the terminal window not focused)."""
        if status not in ("done", "failed") or not self.settings.notify:
            return
        if self.screen is screen and self.app_focus:
            return
        self.write_alert(build_alert(f"Build #{job_id} {'finished' if status == 'done' else 'failed'}"))

    def build_ended(self, job_id: int, status: str) -> None:
        """The dashboard saw a build end: alert if this user opened it (watched or started it) and no Live
        build screen of it is open (that screen alerts itself, see build_status)."""
        if job_id not in self.followed_builds or not self.settings.notify:
            return
        if any(getattr(screen, "job_id", None) == job_id for screen in self.screen_stack):
            return
        self.write_alert(build_alert(f"Build #{job_id} {'finished' if status == 'done' else 'failed'}"))

    def write_alert(self, sequence: str) -> None:
        if self._driver is not None:
            self._driver.write(sequence)
            self._driver.flush()

    def on_open_app(self, message: OpenApp) -> None:
        from tui.screens.app_detail import AppDetailScreen

        self.push_screen(AppDetailScreen(message.app_id))

    def on_open_apps(self, message: OpenApps) -> None:
        from tui.screens.apps import AppsScreen

        self.push_screen(AppsScreen())

    def on_open_profile(self, message: OpenProfile) -> None:
        from tui.screens.profile import ProfileScreen

        self.push_screen(ProfileScreen())

    def on_new_project(self, message: NewProject) -> None:
        from tui.screens.create_project import CreateProjectScreen

        if not isinstance(self.screen, CreateProjectScreen):
            self.push_screen(CreateProjectScreen())

    def on_open_dashboard(self, message: OpenDashboard) -> None:
        self.action_dashboard()

    def on_jobs_changed(self, message: JobsChanged) -> None:
        board = self.dashboard()
        if board is not None:
            board.jobs_changed()

    # ----- global actions (bindings and command palette) ------------------------------------------
    def logged_in(self) -> bool:
        from tui.screens.login import LoginScreen

        return self.user is not None and not isinstance(self.screen, LoginScreen)

    def action_dashboard(self) -> None:
        from tui.screens.dashboard import DashboardScreen

        if not self.logged_in():
            return
        board = self.dashboard()
        if board is None:
            self.push_screen(DashboardScreen())
            return
        while self.screen is not board:
            self.pop_screen()

    def action_new_project(self) -> None:
        if self.logged_in():
            self.post_message(NewProject())

    def action_apps(self) -> None:
        if self.logged_in():
            self.post_message(OpenApps())

    def action_profile(self) -> None:
        if self.logged_in():
            self.post_message(OpenProfile())

    def purge_refused(self) -> str | None:
        """Why purge cannot run here, in words (None: it can): dev mode is off, or the server says no."""
        if not self.dev_mode:
            return "Purge is only available in dev mode (--dev)."
        if self.server_info is not None and not self.server_info.allow_job_purge:
            return f"Purge is turned off on {self.client.server_url} (the server does not allow it)."
        return None

    def action_purge(self) -> None:
        refused = self.purge_refused()
        if refused:
            self.notify(refused, severity="warning")
            return
        if not self.logged_in():
            return
        self.action_dashboard()
        board = self.dashboard()
        if board is not None:
            board.action_purge()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen, title_of

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(current=title_of(type(self.screen).__name__), dev=self.dev_mode))

    def action_interrupt(self) -> None:
        """ctrl+c quits, as in any terminal program; with typed text in focus it asks for a second press."""
        from textual.widgets import Input, TextArea

        now = time.monotonic()
        focused = self.focused
        typed = (isinstance(focused, Input) and bool(focused.value)) or (
            isinstance(focused, TextArea) and not focused.read_only and bool(focused.text))
        if not typed or now - self.interrupted_at < self.INTERRUPT_SECONDS:
            self.exit()
            return
        self.interrupted_at = now
        self.notify("Press ctrl+c again to quit: what you typed is not saved.", title="Quit?",
                    severity="warning", timeout=self.INTERRUPT_SECONDS)

    async def action_back(self) -> None:
        from tui.screens.dashboard import DashboardScreen
        from tui.screens.login import LoginScreen

        top = self.screen
        if isinstance(top, LoginScreen | DashboardScreen) or len(self.screen_stack) <= 1:
            return
        if isinstance(top, ModalScreen):
            top.dismiss(None)
        elif isinstance(top, Screen):
            self.pop_screen()

    # ----- global guard -----------------------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        """Nothing escapes as a traceback on screen: service and network errors become a notification; any
        other error is logged with its traceback (tui/logs.py) and, from a worker, a notification too (the
        screen keeps working). Elsewhere the app stops with one line (tests keep Textual's re-raise)."""
        import httpx

        from tui.services.http import scrub

        cause = error.error if isinstance(error, WorkerFailed) else error
        if isinstance(cause, ServiceError):
            self.report(cause)
            return
        if isinstance(cause, OSError | httpx.HTTPError):  # a network error the service layer missed
            self.notify(one_line(f"Network error: {cause}".splitlines()[0]), severity="error", markup=False)
            return
        log.error("unexpected error", exc_info=cause)
        where = f"details in {log_path()}"
        summary = one_line(scrub(f"{type(cause).__name__}: {cause}".splitlines()[0]))  # may quote a server
        if isinstance(error, WorkerFailed):
            self.notify(f"Something went wrong ({summary}); {where}", title="Unexpected error",
                        severity="error", timeout=10, markup=False)
            return
        if self.is_headless:
            super()._handle_exception(error)
            return
        self.exit(return_code=1,
                  message=Text(f"appbuilder-tui stopped on an unexpected error ({summary}); {where}"))
