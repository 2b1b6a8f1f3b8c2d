"""Snapshots of the live build screen (collecting, done) with fixed fake data."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input

from tests.tui.harness import (
    COLLECTING_EVENTS,
    DONE_EVENTS,
    PRD,
    SIZES,
    FakeClient,
    FakeSocket,
    HostApp,
    make_job,
    wait_for,
)
from tui.screens.live_build import LiveBuildScreen

pytestmark = pytest.mark.usefixtures("utc")  # timestamps in the SVGs do not depend on the machine


def live_app(status: str) -> HostApp:
    if status == "done":
        stages = [(n, "done", 100) for n in ("planning", "architecture", "coding", "testing", "deploy")]
        job, events = make_job("done", stages, prd=PRD, app_id=3), DONE_EVENTS
    else:
        job, events = make_job("collecting"), COLLECTING_EVENTS
    return HostApp(lambda: LiveBuildScreen(7, socket_factory=lambda *_: FakeSocket(events)),
                   FakeClient(job))


async def settled(pilot: Any) -> None:
    screen = pilot.app.screen
    await wait_for(pilot, lambda: isinstance(screen, LiveBuildScreen) and screen.connection == "live"
                   and screen.last_message_id >= 3, what="live build loaded")
    for box in screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_live_build_collecting(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(live_app("collecting"), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_live_build_done(snap_compare: Any, size: tuple[int, int]) -> None:
    async def done(pilot: Any) -> None:
        await settled(pilot)
        await wait_for(pilot, lambda: pilot.app.screen.app_ready is not None, what="app ready")

    assert snap_compare(live_app("done"), terminal_size=size, run_before=done)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_prompt_editor(snap_compare: Any, size: tuple[int, int]) -> None:
    async def editing(pilot: Any) -> None:
        await settled(pilot)
        await pilot.press("escape", "e")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "PromptEditorScreen",
                       what="prompt editor")
        pilot.app.screen.query_one("TextArea").cursor_blink = False
        await pilot.pause()

    assert snap_compare(live_app("collecting"), terminal_size=size, run_before=editing)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_add_message(snap_compare: Any, size: tuple[int, int]) -> None:
    async def adding(pilot: Any) -> None:
        pilot.app.dev_mode = True
        await settled(pilot)
        await pilot.press("escape", "m")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "AddMessageScreen",
                       what="add message modal")
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await pilot.press(*"A note from dev mode")
        await pilot.pause()

    assert snap_compare(live_app("collecting"), terminal_size=size, run_before=adding)
