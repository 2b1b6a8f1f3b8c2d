"""A hostile server's words reach the terminal without control characters, and never as markup.

Every string a server sends may carry escape sequences (OSC 52 writes the clipboard, `ESC [2J` clears the
screen, an 8-bit CSI, a BEL ending an OSC) and markup-looking text (`[/]` raised MarkupError wherever a
widget read a str as markup). Each test fills a screen from a client whose every string is hostile and
checks the frame the terminal would receive (`frame`: what the driver writes for a full redraw), with
notifications shown: no ESC but Textual's own colour and cursor sequences, no BEL, no C1 control, and the
words still there, brackets included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.content import Content
from textual.screen import Screen

from tests.support.hostile import ATTACK, CONTROLS, hostile
from tests.tui.harness import T0, FakeClient, HostApp, ScriptedSocket, live_build_started, wait_for
from tui.palette import OpenByTitle
from tui.screens.app_detail import AppDetailScreen
from tui.screens.apps import AppsScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.create_project import CreateProjectScreen
from tui.screens.export_dialog import ExportDialog
from tui.screens.live_build import LiveBuildScreen
from tui.screens.login import LoginScreen
from tui.screens.profile import ProfileScreen
from tui.screens.prompt_editor import PromptEditorScreen
from tui.services import (
    App as AppModel,
)
from tui.services import (
    AppFile,
    AppReadyEvent,
    AppSummary,
    Architecture,
    ChatEvent,
    Component,
    ConnectionEvent,
    ErrorEvent,
    Job,
    JobPage,
    Link,
    PrdEvent,
    ServiceError,
    Stage,
    StatusEvent,
    StepEvent,
    User,
    ValidationFailed,
    WarningEvent,
)
from tui.widgets.chat_log import ChatLog
from tui.widgets.message_table import MessageTable

SIZE = (130, 45)
OWN_ESCAPES = re.compile(r"\x1b\[[0-9;]*[mH]")  # Textual's own: colours (SGR) and cursor moves


def frame(app: App[Any]) -> str:
    """The screen as the terminal would receive it on a full redraw, minus Textual's own SGR and cursor
    sequences: whatever else is left came from the widgets' text."""
    update = app.screen._compositor.render_update(full=True)  # noqa: SLF001 - what the driver writes
    return OWN_ESCAPES.sub("", update.render_segments(app.console))


def assert_clean(app: App[Any], *words: str) -> str:
    drawn = frame(app)
    leaked = sorted({f"U+{ord(c):04X}" for c in CONTROLS.findall(drawn)})
    assert not leaked, f"control characters reached the terminal: {leaked}"
    missing = [word for word in words if word not in drawn]
    assert not missing, f"not drawn: {missing}\n{drawn}"
    return drawn


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()


# ----- a client whose every string is hostile ---------------------------------------------------------------
def hostile_job(status: str = "collecting") -> Job:
    return Job(id=7, title=hostile("TITLE"), initial_prompt=hostile("PROMPT") + "\nsecond line",
               status=status, current_stage=hostile("CURSTAGE"),
               stages=[Stage(name="planning", status="done", progress=100),
                       Stage(name=hostile("STAGE"), status=hostile("SSTAT"), progress=40)],
               prd=f"# {hostile('PRDHEAD')}\n\n{hostile('PRDBODY')} [link]({hostile('URL')})\n",
               app_id=None, created_at=T0, updated_at=T0)


HOSTILE_APP = AppModel(
    id=3, job=7, name=hostile("APPNAME"), description=hostile("DESCR") + "\nmore", file_count=1,
    preview_url=f"https://x.example/{hostile('PREVIEW')}", created_at=T0,
    files=[AppFile(path=f"{hostile('D')}/{hostile('FILE')}", language=f"LANG{ATTACK}",
                   content=f"print('{hostile('CODE')}')\n\tindented {hostile('LINE2')}\n")],
    architecture=Architecture(
        components=[Component(id="a", name=hostile("COMPA"), kind=hostile("KIND"),
                              description=hostile("CDESC")),
                    Component(id="b", name=hostile("COMPB"), kind="db", description="")],
        links=[Link(source="a", target="b", label=hostile("LINK"))]),
)


class HostileClient(FakeClient):
    def __init__(self, job: Job | None = None, *, staff: bool = False) -> None:
        super().__init__(job or hostile_job(), staff=staff)
        self.user = User(id=1, username=hostile("USER"), email=hostile("MAIL"), is_staff=staff,
                         date_joined=T0)
        self.apps = [AppSummary(**HOSTILE_APP.model_dump(exclude={"files", "architecture"}))]
        self.login_error: ServiceError = ValidationFailed(
            fields={"username": [hostile("FIELDERR")], "non_field_errors": [hostile("GENERAL")]})
        self.create_error: ServiceError = ValidationFailed(fields={"initial_prompt": [hostile("REJECTED")]})

    async def get_app(self, app_id: int) -> AppModel:
        return HOSTILE_APP

    async def list_users(self) -> list[User]:
        return [self.user]

    async def login(self, username: str, password: str) -> User:
        raise self.login_error

    async def create_job(self, prompt: str) -> Job:
        raise self.create_error

    async def list_jobs_page(self, limit: int, offset: int = 0, search: str | None = None,
                             status: str | None = None, ordering: str | None = None) -> JobPage:
        return JobPage(count=1, results=[self.job])


def host(make_screen: Callable[[], Screen], client: FakeClient | None = None,
         dev_mode: bool = False) -> HostApp:
    return HostApp(make_screen, client or HostileClient(), dev_mode=dev_mode)


# ----- Live build -------------------------------------------------------------------------------------------
async def test_live_build_draws_server_words_without_controls() -> None:
    socket = ScriptedSocket()
    app = host(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket), dev_mode=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await live_build_started(pilot)
        socket.push(ConnectionEvent(state="live"),
                    ChatEvent(message_id=1, job_id=7, role="agent", text=hostile("CHAT") + "\nline two"),
                    ChatEvent(message_id=2, job_id=7, role=hostile("ROLE"), text="a reply"),
                    StepEvent(message_id=3, job_id=7, stage=hostile("STEP"), stage_status=hostile("STEPST"),
                              progress=50, text=hostile("BUILDLOG")),
                    AppReadyEvent(message_id=4, job_id=7, app_id=3, name=hostile("READY")),
                    ErrorEvent(message_id=None, job_id=7, code=hostile("CODE"), text=hostile("ERRNOTE")),
                    WarningEvent(text=hostile("WARNNOTE")))
        log = screen.query_one(ChatLog)
        await wait_for(pilot, lambda: len(log.entries) >= 5 and len(app._notifications) >= 2, what="events")
        await settle(pilot)
        assert_clean(app, "TITLE]52;c;ZXZpbA==[2J31m[/]TITLE", "STAGE]52", "SSTAT", "STEP]52", "STEPST",
                     "CHAT]52;c;ZXZpbA==[2J31m[/]CHAT", "BUILDLOG", "READY", "ERRNOTE", "WARNNOTE")

        socket.push(PrdEvent(message_id=5, job_id=7, prd=f"# {hostile('NEWPRD')}\n\n{hostile('PRDTEXT')}"))
        await wait_for(pilot, lambda: screen.prd is not None and "NEWPRD" in screen.prd, what="prd event")
        await pilot.press("2")
        await settle(pilot)
        assert_clean(app, "NEWPRD]52", "PRDTEXT]52;c;ZXZpbA==[2J31m[/]PRDTEXT")
        assert ATTACK in (screen.prd or "")  # kept as the server sent it; only the drawing is clean

        await pilot.press("3")
        table = screen.query_one(MessageTable)
        await wait_for(pilot, lambda: table.row_count >= 5, what="message rows")
        await settle(pilot)
        assert_clean(app, "CHAT]52;c;ZXZpbA==[2J31m[/]CHAT", "ROLE]52")  # the excerpt and the detail pane

        socket.push(StatusEvent(message_id=6, job_id=7, status=hostile("STATUS")))
        await wait_for(pilot, lambda: "STATUS" in screen.status, what="hostile status")
        await pilot.press("1", "g")  # g: the build cannot start, and the reason quotes the status
        await wait_for(pilot, lambda: any("only be started" in n.message for n in app._notifications),
                       what="refusal")
        await settle(pilot)
        assert_clean(app, "STATUS]52", "only be started")


async def test_live_build_survives_a_hostile_job_status_and_prd_on_load() -> None:
    job = hostile_job(status=hostile("LOADST"))
    app = host(lambda: LiveBuildScreen(7, socket_factory=lambda *_: ScriptedSocket()), HostileClient(job))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await live_build_started(pilot)
        await wait_for(pilot, lambda: screen.job is not None, what="job loaded")
        await settle(pilot)
        assert_clean(app, "TITLE]52", "LOADST]52", "STAGE]52", "SSTAT]52")
        await pilot.press("2")
        await settle(pilot)
        assert_clean(app, "PRDHEAD]52", "PRDBODY]52")


async def test_deleting_a_hostile_message_asks_without_controls() -> None:
    socket = ScriptedSocket()
    app = host(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket), dev_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await live_build_started(pilot)
        socket.push(ChatEvent(message_id=1, job_id=7, role="agent", text=hostile("DOOMED")))
        await pilot.press("3")
        await wait_for(pilot, lambda: screen.query_one(MessageTable).row_count == 1, what="row")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await settle(pilot)
        assert_clean(app, "DOOMED]52;c;ZXZpbA==[2J31m[/]DOOMED")


# ----- Apps and app detail ----------------------------------------------------------------------------------
async def test_apps_list_and_its_error_line_are_clean() -> None:
    client = HostileClient()
    app = host(AppsScreen, client)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.state == "ready", what="apps")
        await settle(pilot)
        assert_clean(app, "APPNAME]52;c;ZXZpbA==[2J31m[/]APPNAME")

        async def failing() -> list[AppSummary]:
            raise ServiceError(hostile("LOADERR"))

        client.list_apps = failing  # type: ignore[method-assign]
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen.state == "error" and app._notifications, what="error")
        await settle(pilot)
        drawn = assert_clean(app, "LOADERR]52;c;ZXZpbA==[2J31m[/]LOADERR")
        assert drawn.count("LOADERR]52") == 2  # the state line and the notification


async def test_app_detail_tabs_draw_files_and_architecture_without_controls() -> None:
    app = host(lambda: AppDetailScreen(3))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.state == "ready", what="app loaded")
        await settle(pilot)
        assert_clean(app, "APPNAME]52;c;ZXZpbA==[2J31m[/]APPNAME", "DESCR]52", "PREVIEW]52",
                     "D]52", "FILE]52", "(LANG]52", "CODE]52;c;ZXZpbA==[2J31m[/]CODE", "LINE2]52")
        code = app.screen.query_one("#code")
        assert ATTACK in code.text  # the viewer holds the file as sent (export writes HOSTILE_APP's files)
        await pilot.press("2")
        await settle(pilot)
        assert_clean(app, "COMPA]52", "KIND]52", "CDESC]52", "COMPB]52", "LINK]52")
        await pilot.press("3")
        await settle(pilot)
        assert_clean(app, "PREVIEW]52;c;ZXZpbA==[2J31m[/]PREVIEW")
        await pilot.press("c")  # "Copied <url>" as a notification
        await wait_for(pilot, lambda: any(n.message.startswith("Copied") for n in app._notifications),
                       what="copied")
        await settle(pilot)
        assert_clean(app, "Copied", "https://x.example/PREVIEW]52;c;ZXZpbA==[2J31m[/]PREVIEW")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog), what="export dialog")
        await settle(pilot)
        assert_clean(app, "Export the files of APPNAME]52;c;ZXZpbA==[2J31m[/]APPNAME")


# ----- Profile, login, create, confirm, prompt editor -------------------------------------------------------
async def test_profile_and_users_table_are_clean() -> None:
    app = host(ProfileScreen, HostileClient(staff=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.state == "ready", what="profile")
        await settle(pilot)
        drawn = assert_clean(app, "USER]52;c;ZXZpbA==[2J31m[/]USER", "MAIL]52")
        assert drawn.count("USER]52") == 2  # the facts and the users table


async def test_login_reason_and_errors_are_clean() -> None:
    app = host(lambda: LoginScreen(reason=hostile("REASON")))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "username", what="form")
        await pilot.press(*"ada", "tab", *"pw", "enter")
        await wait_for(pilot, lambda: not app.screen.busy and "FIELDERR" in str(
            app.screen.query_one("#username-error").render()), what="field error")
        await settle(pilot)
        assert_clean(app, "REASON]52;c;ZXZpbA==[2J31m[/]REASON", "FIELDERR]52;c;ZXZpbA==[2J31m[/]FIELDERR",
                     "GENERAL]52")


async def test_create_project_shows_a_rejection_without_controls() -> None:
    app = host(CreateProjectScreen)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"an app", "ctrl+s")
        await wait_for(pilot, lambda: "REJECTED" in str(app.screen.query_one("#create-error").render()),
                       what="rejection")
        await settle(pilot)
        assert_clean(app, "REJECTED]52;c;ZXZpbA==[2J31m[/]REJECTED")


async def test_confirm_question_is_text_not_markup() -> None:
    question = f"Delete {hostile('Q')}?\n[b]not bold[/b] [$accent]x"
    app = host(lambda: ConfirmScreen(question))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert_clean(app, "Delete Q]52;c;ZXZpbA==[2J31m[/]Q?", "[b]not bold[/b] [$accent]x")


async def test_prompt_editor_draws_clean_and_saves_every_character() -> None:
    saved: list[str] = []

    async def save(text: str) -> None:
        saved.append(text)

    prompt = hostile("EDIT") + "\nline two"
    editor: Callable[[], Screen] = lambda: PromptEditorScreen(prompt, save)  # noqa: E731
    app = host(editor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert_clean(app, "EDIT]52;c;ZXZpbA==[2J31m[/]EDIT", "line two")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: saved, what="saved")
    assert saved == [prompt]  # only the drawing dropped the controls


# ----- notifications from the one report path, and the palette ----------------------------------------------
async def test_a_reported_error_is_a_clean_plain_notification() -> None:
    app = host(lambda: Screen())
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.report(ServiceError(hostile("REPORTED") + " [b]x[/b]"))
        await wait_for(pilot, lambda: app._notifications, what="notification")
        await settle(pilot)
        assert_clean(app, "REPORTED]52;c;ZXZpbA==[2J31m[/]REPORTED [b]x[/b]")


async def test_palette_titles_are_clean_and_never_markup() -> None:
    client = HostileClient(hostile_job(status=hostile("PST")))
    app = host(lambda: Screen(), client)
    app.user = client.user
    async with app.run_test(size=SIZE):
        provider = OpenByTitle(app.screen)
        await provider.startup()
        hits = [hit for query in ("TITLE", "APPNAME") async for hit in provider.search(query)]
    # as the palette draws a hit: its prompt and its help through Content.from_markup
    shown = [(Content.from_markup(hit.prompt).plain, Content.from_markup(hit.help or "").plain)
             for hit in hits]
    assert [title for title, _ in shown] == ["Job #7: TITLE]52;c;ZXZpbA==[2J31m[/]TITLE",
                                             "App: APPNAME]52;c;ZXZpbA==[2J31m[/]APPNAME"]
    assert shown[0][1] == "Open the build (PST]52;c;ZXZpbA==[2J31m[/]PST)"


async def test_an_unexpected_worker_error_is_a_clean_plain_notification() -> None:
    """AppBuilderApp's last resort: the error's text may quote a server (markup raised MarkupError)."""
    from textual.worker import WorkerFailed

    from tui.app import AppBuilderApp

    app = AppBuilderApp(HostileClient())
    app.boot = lambda: None  # type: ignore[method-assign]  # no start-up requests: only the error path
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app._handle_exception(WorkerFailed(RuntimeError(hostile("WORKER") + " [b]x[/b]")))  # noqa: SLF001
        app._handle_exception(OSError(hostile("NETWORK")))  # noqa: SLF001
        await wait_for(pilot, lambda: len(app._notifications) == 2, what="two notifications")
        await settle(pilot)
        assert_clean(app, "WORKER]52;c;ZXZpbA==[2J31m[/]WORKER [b]x[/b]",
                     "NETWORK]52;c;ZXZpbA==[2J31m[/]NETWORK")
