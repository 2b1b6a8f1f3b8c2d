"""Live build states shown right (issue 11, item 7): a failed job's stage is not left "running"."""

from __future__ import annotations

from textual.widgets import Label

from tests.tui.harness import FakeClient, HostApp, ScriptedSocket, make_job, wait_for
from tui.screens.live_build import LiveBuildScreen
from tui.services import ConnectionEvent, StatusEvent, StepEvent
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
