"""`jobs watch` lines: every event type becomes one JSON object on one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tui.cli.output import event_line
from tui.services.events import ApiFallbackEvent, AppReadyEvent, ChatEvent, JobSnapshotEvent
from tui.services.models import Job

NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)


def test_events_are_json_lines_with_a_kind() -> None:
    job = Job(id=3, initial_prompt="p", status="building", created_at=NOW, updated_at=NOW)
    lines = [event_line(e) for e in (ChatEvent(1, 3, "agent", "hi", NOW), AppReadyEvent(2, 3, 9, "App"),
                                     ApiFallbackEvent(3), JobSnapshotEvent(job))]
    assert all("\n" not in line for line in lines)
    chat, app, fallback, snapshot = (json.loads(line) for line in lines)
    assert chat == {"event": "chat", "message_id": 1, "job_id": 3, "role": "agent", "text": "hi",
                    "created_at": "2026-11-25T21:00:00+00:00"}
    assert app["event"] == "app" and app["app_id"] == 9
    assert fallback["event"] == "fallback" and fallback["job_id"] == 3
    assert snapshot["event"] == "snapshot" and snapshot["job"]["status"] == "building"
