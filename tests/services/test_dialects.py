"""translate_frame / event_from_message: both socket dialects and REST messages -> one event set (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.respell import camel, snake, string_ids
from tui.services.dialects import event_from_message, translate_frame
from tui.services.events import (
    AppReadyEvent,
    ChatEvent,
    ChatQueued,
    ConnectionEvent,
    ErrorEvent,
    JobEvent,
    JobGoneEvent,
    PrdEvent,
    StatusEvent,
    StepEvent,
    WarningEvent,
)
from tui.services.models import JobMessage

EVENT_CLASSES = (ChatEvent, StatusEvent, PrdEvent, StepEvent, AppReadyEvent, ErrorEvent, WarningEvent,
                 ConnectionEvent, JobGoneEvent, ChatQueued)
TS = "2026-11-24T21:59:21.208919Z"
WHEN = datetime(2026, 11, 24, 21, 59, 21, 208919, tzinfo=UTC)

# ----- real frame shapes (docs/protocol.md, server/jobs/services.py) --------------------------------------
DOCUMENTED: dict[str, dict[str, Any]] = {
    "chat": {"kind": "chat", "id": 11, "job_id": 5, "role": "agent", "text": "Who will use the app?",
             "created_at": TS},
    "status": {"kind": "status", "id": 12, "job_id": 5, "status": "building", "text": "Building the app",
               "prd": None, "created_at": TS},
    "prd": {"kind": "status", "id": 13, "job_id": 5, "status": "prd", "text": "PRD ready",
            "prd": "# PRD\n\n- todo lists", "created_at": TS},
    "step": {"kind": "step", "id": 94, "job_id": 5, "stage": "architecture", "stage_status": "running",
             "progress": 50, "text": "Designing the todo data model", "created_at": TS},
    "app": {"kind": "app", "id": 95, "job_id": 5, "app_id": 3, "name": "Todo",
            "preview_url": "https://preview.appbuilder.example/apps/3/", "text": "Todo is ready",
            "created_at": TS},
    "error": {"kind": "error", "id": 96, "job_id": 5, "code": "pipeline_failed", "text": "The build failed",
              "created_at": TS},
    "error_reply": {"kind": "error", "id": None, "job_id": 5, "code": "not_collecting",
                    "text": "The job is not collecting answers", "created_at": TS},
}
LEGACY: dict[str, dict[str, Any]] = {
    "chat": {"type": "agentDialogue", "messageId": 21, "jobId": 1, "role": "user", "message": "Families",
             "timestamp": TS},
    "status": {"type": "jobStatus", "messageId": 22, "jobId": 1, "status": "done", "message": "Build done",
               "appId": None, "timestamp": TS},
    "prd": {"type": "prdReady", "messageId": 23, "jobId": 1, "prd": "# PRD", "timestamp": TS},
    "step": {"type": "stageUpdate", "messageId": 24, "jobId": 1, "stage": "coding", "state": "done",
             "progress": 100, "message": "Code written", "timestamp": TS},
    "app": {"type": "jobStatus", "messageId": 30, "jobId": 1, "status": "done",
            "message": "A todo list app for families is ready", "appId": 1,
            "appName": "A todo list app for families",
            "previewUrl": "https://preview.appbuilder.example/apps/1/",
            "timestamp": "2026-11-24T22:00:14.801133Z"},
    "error": {"type": "error", "messageId": 31, "jobId": 1, "code": "pipeline_failed", "message": "Failed",
              "timestamp": TS},
    "error_reply": {"type": "error", "messageId": None, "jobId": 1, "code": "bad_frame",
                    "message": "Bad frame", "timestamp": TS},
}


def both_forms(frame: dict[str, Any]) -> list[Any]:
    """The same frame as text, as bytes and as an already parsed dict."""
    text = json.dumps(frame)
    return [text, text.encode(), frame]


# ----- documented dialect ----------------------------------------------------------------------------------
@pytest.mark.parametrize("form", [0, 1, 2])
def test_documented_chat(form: int) -> None:
    event = translate_frame(both_forms(DOCUMENTED["chat"])[form])
    assert event == ChatEvent(11, 5, "agent", "Who will use the app?", WHEN)


def test_documented_status_without_prd_is_status() -> None:
    assert translate_frame(DOCUMENTED["status"]) == StatusEvent(12, 5, "building", "Building the app")


def test_documented_status_with_prd_is_prd_event() -> None:
    assert translate_frame(json.dumps(DOCUMENTED["prd"])) == PrdEvent(13, 5, "# PRD\n\n- todo lists")


def test_documented_step() -> None:
    event = translate_frame(json.dumps(DOCUMENTED["step"]))
    assert event == StepEvent(94, 5, "architecture", "running", 50, "Designing the todo data model")


def test_documented_app() -> None:
    event = translate_frame(json.dumps(DOCUMENTED["app"]))
    assert event == AppReadyEvent(95, 5, 3, "Todo", "https://preview.appbuilder.example/apps/3/")


def test_documented_persisted_error() -> None:
    assert translate_frame(json.dumps(DOCUMENTED["error"])) == ErrorEvent(96, 5, "pipeline_failed",
                                                                          "The build failed")


def test_documented_error_reply_has_no_message_id() -> None:
    event = translate_frame(json.dumps(DOCUMENTED["error_reply"]))
    assert event == ErrorEvent(None, 5, "not_collecting", "The job is not collecting answers")


# ----- legacy dialect ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", [0, 1, 2])
def test_legacy_agent_dialogue(form: int) -> None:
    assert translate_frame(both_forms(LEGACY["chat"])[form]) == ChatEvent(21, 1, "user", "Families", WHEN)


def test_legacy_job_status_without_app_id_is_status() -> None:
    assert translate_frame(json.dumps(LEGACY["status"])) == StatusEvent(22, 1, "done", "Build done")


def test_legacy_job_status_with_app_id_is_app_ready() -> None:
    event = translate_frame(json.dumps(LEGACY["app"]))
    assert event == AppReadyEvent(30, 1, 1, "A todo list app for families",
                                  "https://preview.appbuilder.example/apps/1/")


def test_legacy_prd_ready() -> None:
    assert translate_frame(json.dumps(LEGACY["prd"])) == PrdEvent(23, 1, "# PRD")


def test_legacy_stage_update() -> None:
    event = translate_frame(json.dumps(LEGACY["step"]))
    assert event == StepEvent(24, 1, "coding", "done", 100, "Code written")


def test_legacy_errors() -> None:
    assert translate_frame(json.dumps(LEGACY["error"])) == ErrorEvent(31, 1, "pipeline_failed", "Failed")
    assert translate_frame(json.dumps(LEGACY["error_reply"])) == ErrorEvent(None, 1, "bad_frame", "Bad frame")


def test_the_two_dialects_give_the_same_event_kinds() -> None:
    for name in ("chat", "status", "prd", "step", "app", "error", "error_reply"):
        assert type(translate_frame(DOCUMENTED[name])) is type(translate_frame(LEGACY[name])), name


@pytest.mark.parametrize("frame", ['{"kind": "pong"}', '{"type": "pong"}'])
def test_pong_is_harmless(frame: str) -> None:
    event = translate_frame(frame)
    assert isinstance(event, EVENT_CLASSES)
    assert not (isinstance(event, JobEvent) and event.message_id is not None)


# ----- REST messages ----------------------------------------------------------------------------------------
def msg(kind: str, content: str = "", data: dict[str, Any] | None = None, role: str = "agent") -> JobMessage:
    return JobMessage(id=40, job=9, kind=kind, role=role, content=content, data=data or {}, created_at=WHEN)


def test_rest_chat() -> None:
    assert event_from_message(msg("chat", "Hello", role="user")) == ChatEvent(40, 9, "user", "Hello", WHEN)


def test_rest_status() -> None:
    event = event_from_message(msg("status", "Writing the product requirements", {"status": "prd"}))
    assert event == StatusEvent(40, 9, "prd", "Writing the product requirements")


def test_rest_prd() -> None:
    assert event_from_message(msg("prd", "PRD ready", {"prd": "# The PRD"})) == PrdEvent(40, 9, "# The PRD")


def test_rest_step() -> None:
    event = event_from_message(msg("step", "Planning", {"stage": "planning", "stage_status": "running",
                                                         "progress": 25}))
    assert event == StepEvent(40, 9, "planning", "running", 25, "Planning")


def test_rest_app() -> None:
    event = event_from_message(msg("app", "Todo is ready", {"app_id": 4, "name": "Todo",
                                                             "preview_url": "https://p.example/apps/4/"}))
    assert event == AppReadyEvent(40, 9, 4, "Todo", "https://p.example/apps/4/")


def test_rest_error() -> None:
    event = event_from_message(msg("error", "Build failed", {"code": "pipeline_failed"}, role="system"))
    assert event == ErrorEvent(40, 9, "pipeline_failed", "Build failed")


def test_rest_unknown_kind_is_a_warning() -> None:
    assert isinstance(event_from_message(msg("telepathy", "??")), WarningEvent)


def test_rest_and_socket_agree() -> None:
    """A message read over REST gives the same event as its documented socket frame."""
    ids = {"id": 40, "job_id": 9}
    pairs = [
        (msg("chat", "Who will use the app?"), DOCUMENTED["chat"] | ids),
        (msg("status", "Building the app", {"status": "building"}), DOCUMENTED["status"] | ids),
        (msg("prd", "PRD ready", {"prd": "# PRD\n\n- todo lists"}), DOCUMENTED["prd"] | ids),
        (msg("step", "Designing the todo data model",
             {"stage": "architecture", "stage_status": "running", "progress": 50}),
         DOCUMENTED["step"] | ids),
    ]
    for message, frame in pairs:
        assert event_from_message(message) == translate_frame(frame), message.kind


# ----- malformed input --------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    "",
    "{not json",
    '{"kind": "chat", "id": 1,',
    "[1, 2, 3]",
    '"just a string"',
    "42",
    "null",
    "true",
    b"\xff\xfe\x00garbage",
    b'{"kind": "chat", "text": "\xc3\x28"}',
    json.dumps({"kind": "chat", "job_id": 5, "role": "agent", "text": "no id", "created_at": TS}),
    json.dumps({**DOCUMENTED["chat"], "id": "eleven"}),
    json.dumps({**DOCUMENTED["chat"], "id": "-11"}),
    json.dumps({**DOCUMENTED["chat"], "id": 0}),
    json.dumps({**DOCUMENTED["chat"], "id": "1" * 40}),
    json.dumps({**DOCUMENTED["chat"], "id": 1.5}),
    json.dumps({**DOCUMENTED["chat"], "id": True}),
    json.dumps({**DOCUMENTED["chat"], "id": [11]}),
    json.dumps({**DOCUMENTED["step"], "id": None}),
    json.dumps({**LEGACY["chat"], "messageId": "２１"}),  # full-width digits
    json.dumps({k: v for k, v in DOCUMENTED["chat"].items() if k != "text"}),
    json.dumps({k: v for k, v in DOCUMENTED["step"].items() if k != "progress"}),
    json.dumps({**DOCUMENTED["app"], "app_id": None}),
    json.dumps({"type": "update"}),
    json.dumps({"type": "update", "data": {"jobId": 5}}),
    json.dumps({k: v for k, v in LEGACY["step"].items() if k != "messageId"}),
    json.dumps({"kind": "telepathy", "id": 3, "job_id": 5}),
    json.dumps({"type": "mindMeld", "messageId": 3, "jobId": 5}),
    json.dumps({"id": 3, "job_id": 5, "text": "no kind at all"}),
    json.dumps({"kind": 7, "id": 3}),
])
def test_malformed_frames_are_warnings(raw: Any) -> None:
    event = translate_frame(raw)
    assert isinstance(event, WarningEvent), event
    assert event.text


def test_warning_keeps_an_excerpt_of_the_raw_frame() -> None:
    event = translate_frame("{oops")
    assert isinstance(event, WarningEvent) and "oops" in event.raw


# ----- fuzz -------------------------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
DATA_KEYS = ["status", "stage", "stage_status", "progress", "prd", "app_id", "name", "preview_url", "code",
             "kind", "id"]
all_frames = [*DOCUMENTED.values(), *LEGACY.values()]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_fuzz_any_json_value(value: Any) -> None:
    assert isinstance(translate_frame(json.dumps(value)), EVENT_CLASSES)
    if isinstance(value, dict):
        assert isinstance(translate_frame(value), EVENT_CLASSES)


@settings(max_examples=300)
@given(st.text())
def test_fuzz_any_text(text: str) -> None:
    assert isinstance(translate_frame(text), EVENT_CLASSES)


@settings(max_examples=200)
@given(st.binary())
def test_fuzz_any_bytes(data: bytes) -> None:
    assert isinstance(translate_frame(data), EVENT_CLASSES)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(all_frames), st.data())
def test_fuzz_valid_frame_with_one_field_dropped_or_replaced(frame: dict[str, Any],
                                                             data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(frame)))
    mutated = dict(frame)
    if data.draw(st.booleans()):
        del mutated[key]
    else:
        mutated[key] = data.draw(json_values)
    event = translate_frame(json.dumps(mutated))
    assert isinstance(event, EVENT_CLASSES)
    if isinstance(event, JobEvent):  # anything that claims to be a message carries integer ids
        assert type(event.message_id) is int and type(event.job_id) is int


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["chat", "status", "step", "prd", "app", "error"]) | st.text(max_size=10),
       role=st.text(max_size=10), content=st.text(max_size=40),
       data=st.dictionaries(st.sampled_from(DATA_KEYS) | st.text(max_size=8), json_values, max_size=5))
def test_fuzz_rest_messages(kind: str, role: str, content: str, data: dict[str, Any]) -> None:
    message = JobMessage(id=1, job=2, kind=kind, role=role, content=content, data=data)
    event = event_from_message(message)
    assert isinstance(event, EVENT_CLASSES)
    if isinstance(event, JobEvent):
        assert (event.message_id, event.job_id) == (1, 2)


# ----- read by meaning (issue 12): what a deployed server may send ------------------------------------------
def nest(frame: dict[str, Any], under: str) -> dict[str, Any]:
    kind_key = "kind" if "kind" in frame else "type"
    return {kind_key: frame[kind_key], under: {k: v for k, v in frame.items() if k != kind_key}}


def renamed(frame: dict[str, Any], **names: str) -> dict[str, Any]:
    return {names.get(k, k): v for k, v in frame.items()}


def snake_kind(frame: dict[str, Any]) -> dict[str, Any]:
    return {**frame, "type": next(iter(snake({frame["type"]: 0})))} if "type" in frame else frame


VARIANTS: dict[str, Any] = {
    "camelCase": camel,
    "snake_case": snake,
    "nested under data": lambda f: nest(f, "data"),
    "nested under payload": lambda f: nest(f, "payload"),
    "nested under message": lambda f: nest(f, "message"),
    "string ids": string_ids,
    "content for text/message": lambda f: renamed(f, text="content", message="content"),
    "status for state": lambda f: renamed(f, state="status"),
    "type for kind": lambda f: renamed(f, kind="type"),
    "event for type": lambda f: renamed(f, type="event"),
    "snake_case kind values": snake_kind,
}
NAMED = {f"documented {k}": v for k, v in DOCUMENTED.items()} | {f"legacy {k}": v for k, v in LEGACY.items()}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", sorted(NAMED))
def test_every_spelling_reads_as_the_reference_frame(name: str, variant: str) -> None:
    frame = NAMED[name]
    assert translate_frame(json.dumps(VARIANTS[variant](frame))) == translate_frame(frame), (name, variant)


def test_spellings_combine() -> None:
    frame = {"event": "stage_update", "payload": {"message_id": "24", "job_id": "1", "stage": "coding",
                                                  "status": "done", "progress": "100",
                                                  "content": "Code written"}}
    assert translate_frame(frame) == translate_frame(LEGACY["step"])


def test_the_socket_job_id_fills_in_a_frame_without_one() -> None:
    frame = {k: v for k, v in DOCUMENTED["chat"].items() if k != "job_id"}
    assert isinstance(translate_frame(frame), WarningEvent)
    assert translate_frame(frame, job_id=5) == translate_frame(DOCUMENTED["chat"])


def test_a_nested_bare_id_is_a_message_id_only_next_to_a_job_id() -> None:
    """{"data": <the job>} carries the job's id as `id`: reading it as a message id would drop updates."""
    job_like = {"type": "jobStatus", "data": {"id": 1, "status": "done"}}
    assert isinstance(translate_frame(job_like, job_id=1), WarningEvent)
    message_like = {"type": "jobStatus", "data": {"id": 30, "jobId": 1, "status": "done"}}
    assert translate_frame(message_like) == StatusEvent(30, 1, "done", "")


def test_ids_as_integral_numbers_and_roles_by_meaning() -> None:
    frame = {**DOCUMENTED["chat"], "id": 11.0, "role": "assistant"}
    assert translate_frame(frame) == translate_frame(DOCUMENTED["chat"])


def test_prd_in_content_and_percent_progress() -> None:
    assert translate_frame({"type": "prd_ready", "messageId": 23, "jobId": 1, "content": "# PRD"}) == \
        translate_frame(LEGACY["prd"])
    step = {**DOCUMENTED["step"], "progress": "50%"}
    assert translate_frame(step) == translate_frame(DOCUMENTED["step"])


# ----- never raises (issue 12) ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    "[" * 100_000,
    '{"a":' * 100_000 + "1" + "}" * 100_000,
    ("[" * 100_000).encode(),
])
def test_deeply_nested_json_is_just_unreadable(raw: Any) -> None:
    event = translate_frame(raw)
    assert isinstance(event, WarningEvent) and event.text


def test_deeply_nested_parsed_object_is_just_unreadable() -> None:
    deep: Any = {}
    for _ in range(100_000):
        deep = {"data": deep}
    assert isinstance(translate_frame({"kind": "telepathy", "data": deep}), WarningEvent)
    assert isinstance(translate_frame({"kind": "chat", "id": 1, "job_id": 2, "text": deep}), WarningEvent)


def test_lone_surrogates_are_replaced_not_raised() -> None:
    raw = '{"kind": "chat", "id": 11, "job_id": 5, "role": "agent", "text": "bad \\ud800 text"}'
    event = translate_frame(raw)
    assert isinstance(event, ChatEvent)
    event.text.encode("utf-8")  # printable and loggable
    assert event.text.startswith("bad ") and event.text.endswith(" text")
    warning = translate_frame('{"kind": "\\udfff\\ud800"}')
    assert isinstance(warning, WarningEvent)
    warning.text.encode("utf-8")
    warning.raw.encode("utf-8")
    assert isinstance(translate_frame("{\ud800"), WarningEvent)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(all_frames), st.sampled_from(sorted(VARIANTS)), st.data())
def test_fuzz_variants_with_one_field_replaced(frame: dict[str, Any], variant: str,
                                               data: st.DataObject) -> None:
    mutated = VARIANTS[variant](frame)
    key = data.draw(st.sampled_from(sorted(mutated)))
    mutated[key] = data.draw(json_values | st.text(alphabet=st.characters(categories=["Cs"]), max_size=3))
    event = translate_frame(mutated)
    assert isinstance(event, EVENT_CLASSES)
    if isinstance(event, JobEvent):
        assert type(event.message_id) is int and type(event.job_id) is int and event.message_id > 0
