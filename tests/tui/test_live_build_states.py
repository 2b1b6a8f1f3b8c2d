"""States shown right (issue 11): a failed job's stage is not left "running" (item 7); 80 columns keep the
footer's Help/Quit, the banner's key and the apps' created column (item 6); the build log for everyone and
the dev messages' time and content (item 11)."""

from __future__ import annotations

from textual.widgets import DataTable, Label, Static
from textual.widgets._footer import FooterKey

from tests.tui.harness import T0, FakeClient, HostApp, ScriptedSocket, make_job, wait_for
from tui.screens.apps import AppsScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.live_build import LiveBuildScreen
from tui.services import AppReadyEvent, AppSummary, ChatEvent, ConnectionEvent, StatusEvent, StepEvent
from tui.widgets.chat_log import ChatLog
from tui.widgets.feedback import when
from tui.widgets.key_footer import KeyFooter
from tui.widgets.message_table import MessageTable
from tui.widgets.stage_progress import StageProgress, StageRow


def stage_words(screen: LiveBuildScreen) -> dict[str, str]:
    return {row.stage: str(row.query_one(".stage-status", Label).render()) for row in screen.query(StageRow)}


async def test_a_failed_build_fails_its_running_stage() -> None:
    socket = ScriptedSocket()
    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket),
                  FakeClient(make_job("building")))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.status == "building" and screen.socket is not None,
                       what="started")
        socket.push(ConnectionEvent(state="live"),
                    StepEvent(message_id=1, job_id=7, stage="planning", stage_status="done", progress=100),
                    StepEvent(message_id=2, job_id=7, stage="architecture", stage_status="running",
                              progress=75))
        await wait_for(pilot, lambda: stage_words(screen)["architecture"] == "running", what="stage running")
        socket.push(StatusEvent(message_id=3, job_id=7, status="failed", text="Build failed"))
        await wait_for(pilot, lambda: screen.status == "failed", what="failed status")
        assert stage_words(screen) == {"planning": "done", "architecture": "failed", "coding": "pending",
                                       "testing": "pending", "deploy": "pending"}
        assert screen.query_one(StageProgress).states()["architecture"] == ("failed", 75)


async def test_a_failed_job_loaded_with_a_running_stage_shows_it_failed() -> None:
    job = make_job("failed", [("planning", "done", 100), ("architecture", "running", 75)])
    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: ScriptedSocket()), FakeClient(job))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.status == "failed", what="failed job loaded")
        assert stage_words(screen)["architecture"] == "failed"


async def test_80_columns_keep_help_quit_and_how_to_open_the_app() -> None:
    """Item 6: at 80x24 the footer keeps ? Help and q Quit, and the banner keeps "press o to open"."""
    long_name = "a-very-long-generated-application-name-that-would-push-the-hint-off-the-screen"
    socket = ScriptedSocket()
    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket), FakeClient(make_job("done")))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.status == "done" and screen.socket is not None, what="done job")
        socket.push(AppReadyEvent(message_id=1, job_id=7, app_id=3, name=long_name, preview_url=""))
        banner = screen.query_one("#app-banner", Static)
        await wait_for(pilot, lambda: screen.app_ready is not None and banner.region.width > 0, what="banner")
        shown = banner.render_line(0).text
        assert "App ready — press o to open" in shown and len(shown) <= 80
        footer = screen.query_one(KeyFooter)
        await wait_for(pilot, lambda: {"Help", "Quit", "Back", "Open app"}
                       <= {key.description for key in footer.query(FooterKey)},
                       what="Back, Open app, Help and Quit in the footer")


async def test_apps_list_keeps_the_created_column_whole_at_80_columns() -> None:
    apps = [AppSummary(id=3, job=7, name="a-generated-app-with-a-name-much-longer-than-eighty-columns-" * 2,
                       description="", preview_url="", file_count=4, created_at=T0)]
    app = HostApp(AppsScreen, FakeClient(apps=apps))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1 and table.region.width > 0, what="apps listed")
        widths = sum(column.get_render_width(table) for column in table.columns.values())
        assert widths <= table.scrollable_content_region.width
        assert when(T0) in table.render_line(1).text  # the created cell of the row, whole


async def test_step_texts_show_in_the_chat_for_everyone() -> None:
    """Item 11: what the build is doing ("Running API tests") is in the transcript without dev mode."""
    socket = ScriptedSocket()
    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket),
                  FakeClient(make_job("building")))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.socket is not None, what="started")
        assert not app.dev_mode
        socket.push(StepEvent(message_id=1, job_id=7, stage="testing", stage_status="running", progress=10,
                              text="Running API tests"),
                    StepEvent(message_id=2, job_id=7, stage="testing", stage_status="running", progress=60,
                              text="Running API tests"),
                    StepEvent(message_id=3, job_id=7, stage="deploy", stage_status="running", progress=5,
                              text="Provisioning the preview"))
        log = screen.query_one(ChatLog)
        await wait_for(pilot, lambda: len(log.entries) == 2, what="two step lines (a repeat is shown once)")
        assert [line.text for line in log.entries] == ["Running API tests", "Provisioning the preview"]


async def test_dev_messages_show_time_and_the_delete_question_quotes_the_content() -> None:
    socket = ScriptedSocket()
    app = HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: socket),
                  FakeClient(make_job("collecting")), dev_mode=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.socket is not None, what="started")
        text = "A long answer " + "with many words " * 20
        socket.push(ChatEvent(message_id=5, job_id=7, role="user", text=text, created_at=T0))
        table = screen.query_one(MessageTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="message row")
        assert table.get_cell("5", "time") == T0.astimezone().strftime("%H:%M:%S")
        assert table.content_of(5) == text
        await pilot.press("escape", "3")
        await wait_for(pilot, lambda: table.has_focus, what="messages tab")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="delete confirmation")
        question = str(app.screen.query_one("#confirm-question", Label).render())
        assert "Delete message #5?" in question and "A long answer with many words" in question
        await pilot.press("n")
