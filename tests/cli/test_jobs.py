"""`jobs ...` against the real server: output, and the exit code of every failure."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT, Cli, cli_env, one_line_error
from tests.support.live_server import LiveServer


def test_create_from_stdin_then_show(cli: Cli) -> None:
    created = cli("jobs", "create", "-", stdin="A recipe box\nwith tags and search\n")
    assert created.returncode == 0, created.stderr
    job_id = created.stdout.split("#")[1].split(":")[0]
    shown = cli("jobs", "show", job_id)
    assert shown.returncode == 0, shown.stderr
    assert "status   collecting" in shown.stdout
    assert shown.stdout.rstrip().endswith("A recipe box\nwith tags and search")
    data = cli.json("jobs", "show", job_id)
    assert data["initial_prompt"] == "A recipe box\nwith tags and search" and data["status"] == "collecting"


def test_list_filters(cli: Cli) -> None:
    kept = cli.new_job("A kanban board")
    started = cli.new_job("A wiki for the team")
    assert cli("jobs", "start", str(started["id"])).returncode == 0
    assert [j["id"] for j in cli.json("jobs", "list", "--status", "collecting")] == [kept["id"]]
    assert [j["id"] for j in cli.json("jobs", "list", "--search", "WIKI")] == [started["id"]]
    bad = cli("jobs", "list", "--status", "sleeping")
    assert bad.returncode == 1 and "Unknown status: sleeping" in one_line_error(bad)


def test_create_with_empty_stdin_is_a_usage_error(cli: Cli) -> None:
    result = cli("jobs", "create", "-", stdin="  \n")
    assert result.returncode == 2
    assert one_line_error(result) == "appbuilder-tui: the prompt is empty"
    assert cli.json("jobs", "list") == []


def test_server_validation_is_exit_1_in_words(cli: Cli) -> None:
    result = cli("jobs", "create", "x" * 20_001)
    assert result.returncode == 1
    assert "initial_prompt" in one_line_error(result)


def test_missing_job_is_exit_4(cli: Cli) -> None:
    for action in ("show", "delete", "start", "watch", "edit"):
        result = cli("jobs", action, "987654321", *(["new prompt"] if action == "edit" else []))
        assert result.returncode == 4, (action, result.stderr)
        assert one_line_error(result).startswith("appbuilder-tui: Not found")


def test_delete(cli: Cli) -> None:
    job = cli.new_job()
    result = cli("jobs", "delete", str(job["id"]))
    assert result.returncode == 0 and f"Deleted job #{job['id']}" in result.stdout
    assert cli("jobs", "show", str(job["id"])).returncode == 4


def test_chat_prints_the_agents_reply(cli: Cli) -> None:
    job = cli.new_job("A plant watering reminder")
    result = cli("jobs", "chat", str(job["id"]), "Just me, on my phone")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Sent message #") and lines[1].startswith("agent: ")
    contents = [m["content"] for m in cli.json("messages", "list", str(job["id"]))]
    assert "Just me, on my phone" in contents


def test_edit_from_argument_and_from_stdin(cli: Cli) -> None:
    job = cli.new_job("First idea")
    assert cli("jobs", "edit", str(job["id"]), "Second idea").returncode == 0
    assert cli.json("jobs", "show", str(job["id"]))["initial_prompt"] == "Second idea"
    piped = cli("jobs", "edit", str(job["id"]), stdin="Third idea\n")
    assert piped.returncode == 0, piped.stderr
    assert cli.json("jobs", "show", str(job["id"]))["title"] == "Third idea"


def test_start_then_edit_and_chat_are_conflicts(cli: Cli) -> None:
    job = cli.new_job("A tiny wiki")
    started = cli("jobs", "start", str(job["id"]))
    assert started.returncode == 0 and "Started the build" in started.stdout, started.stderr
    edit = cli("jobs", "edit", str(job["id"]), "Too late")
    assert edit.returncode == 1 and "only be edited while" in one_line_error(edit)
    chat = cli("jobs", "chat", str(job["id"]), "Too late")
    assert chat.returncode == 1 and "not collecting" in one_line_error(chat)
    again = cli("jobs", "start", str(job["id"]))
    assert again.returncode == 1
    one_line_error(again)


def watch_while(cli: Cli, job_id: int, action: Callable[[], None]) -> tuple[int, list[dict], str]:
    """Run `jobs watch` in the background; once it is live, `action()`; then its exit code, events, stderr."""
    command = [sys.executable, "-m", "tui", "--server", cli.server.url, "jobs", "watch", str(job_id)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                          env=cli_env(cli.config_dir)) as proc:
        assert proc.stdout is not None
        head = []
        for line in proc.stdout:  # until it is live: what follows happens while watched
            head.append(line)
            if json.loads(line).get("state") == "live":
                break
        else:
            raise AssertionError("the watch ended before it was live")
        action()
        try:
            out, err = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("jobs watch did not end within 90 s of the action") from None
    return proc.returncode, [json.loads(line) for line in [*head, *out.splitlines()]], err


def test_watch_follows_the_build_live_until_done(cli: Cli) -> None:
    job = cli.new_job("A bookmark manager")
    code, events, err = watch_while(cli, job["id"],
                                    lambda: cli("jobs", "start", str(job["id"])).check_returncode())
    assert code == 0, err
    statuses = [e["status"] for e in events if e["event"] == "status"]
    assert statuses[-1] == "done" and "building" in statuses
    assert events[-1]["event"] == "app" and events[-1]["job_id"] == job["id"]
    assert any(e["event"] == "step" and e["stage"] == "deploy" for e in events)
    ids = [e["message_id"] for e in events if "message_id" in e]
    assert ids == sorted(set(ids))


def test_watch_of_a_finished_job_replays_it_and_ends(cli: Cli) -> None:
    job = cli.new_job("A habit tracker")
    assert cli("jobs", "start", str(job["id"])).returncode == 0
    assert cli("jobs", "watch", str(job["id"])).returncode == 0
    replay = cli("jobs", "watch", str(job["id"]))
    assert replay.returncode == 0, replay.stderr
    events = [json.loads(line) for line in replay.stdout.splitlines()]
    assert events[-1] == {"event": "connection", "state": "live", "attempt": 0, "detail": ""}
    assert any(e["event"] == "app" for e in events)


def test_watch_ends_with_exit_4_when_the_job_is_deleted(cli: Cli) -> None:
    job = cli.new_job("Deleted while watched")
    code, events, err = watch_while(cli, job["id"],
                                    lambda: cli("jobs", "delete", str(job["id"])).check_returncode())
    assert code == 4, err
    assert events[-1] == {"event": "gone", "job_id": job["id"]}
    assert "was deleted" in err


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory):
    with LiveServer(db_path=tmp_path_factory.mktemp("seeded") / "db.sqlite3", seed_demo=True,
                    allow_purge=False) as server:
        yield server


def test_watch_of_a_failed_job_is_exit_1(seeded_server: LiveServer, make_cli: Callable[[LiveServer], Cli]
                                         ) -> None:
    cli = make_cli(seeded_server).login("demo", "demo-password")
    failed = [job for job in cli.json("jobs", "list") if job["status"] == "failed"]
    result = cli("jobs", "watch", str(failed[0]["id"]))
    assert result.returncode == 1
    assert one_line_error(result) == f"appbuilder-tui: job #{failed[0]['id']} failed"
    assert any(json.loads(line).get("status") == "failed" for line in result.stdout.splitlines())


def test_purge_needs_yes_and_is_forbidden_where_off(seeded_server: LiveServer, tmp_path: Path) -> None:
    seeded_server.register("purger", "pass-word-123")
    cli = Cli(seeded_server, tmp_path / "purger").login("purger", "pass-word-123")
    cli.new_job("one")
    assert cli("jobs", "purge").returncode == 2
    refused = cli("jobs", "purge", "--yes")
    assert refused.returncode == 6
    assert "purge is disabled" in one_line_error(refused)
    assert len(cli.json("jobs", "list")) == 1


def test_purge_with_yes(cli: Cli) -> None:
    cli.new_job("one")
    cli.new_job("two")
    result = cli("jobs", "purge", "--yes")
    assert result.returncode == 0 and "Deleted 2 jobs" in result.stdout
    assert cli.json("jobs", "list") == []


def test_bad_arguments_are_exit_2(cli: Cli) -> None:
    for args in (["jobs"], ["jobs", "show"], ["jobs", "show", "abc"], ["jobs", "frobnicate"]):
        result = cli(*args)
        assert result.returncode == 2, args
        assert "usage:" in result.stderr
