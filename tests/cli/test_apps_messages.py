"""`apps show|export` and `messages list|delete` against the real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli, one_line_error


@pytest.fixture
def built(cli: Cli) -> dict:
    """A job that went all the way to an app (watch returns once it is done)."""
    job = cli.new_job("A reading list app")
    assert cli("jobs", "start", str(job["id"])).returncode == 0
    assert cli("jobs", "watch", str(job["id"])).returncode == 0
    return cli.json("jobs", "show", str(job["id"]))


def test_apps_list_and_show(cli: Cli, built: dict) -> None:
    apps = cli.json("apps", "list")
    assert [a["id"] for a in apps] == [built["app_id"]]
    shown = cli("apps", "show", str(built["app_id"]))
    assert shown.returncode == 0, shown.stderr
    assert f"#{built['app_id']}" in shown.stdout and "files (" in shown.stdout
    full = cli.json("apps", "show", str(built["app_id"]))
    assert full["job"] == built["id"] and full["files"] and all("content" in f for f in full["files"])


def test_export_writes_files_and_refuses_to_overwrite(cli: Cli, built: dict, tmp_path: Path) -> None:
    app = cli.json("apps", "show", str(built["app_id"]))
    target = tmp_path / "out"
    first = cli("apps", "export", str(app["id"]), str(target))
    assert first.returncode == 0, first.stderr
    for item in app["files"]:
        assert (target / item["path"]).read_text() == item["content"]
    assert sorted(first.stdout.split()) == sorted(f["path"] for f in app["files"])
    edited = target / app["files"][0]["path"]
    edited.write_text("my local change")
    again = cli("apps", "export", str(app["id"]), str(target))
    assert again.returncode == 1
    assert "use --force" in one_line_error(again)
    assert edited.read_text() == "my local change"
    forced = cli("apps", "export", str(app["id"]), str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert edited.read_text() == app["files"][0]["content"]


def test_export_refuses_a_symlink_inside_the_directory(cli: Cli, built: dict, tmp_path: Path) -> None:
    app = cli.json("apps", "show", str(built["app_id"]))
    nested = next(f["path"] for f in app["files"] if "/" in f["path"])
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "out"
    target.mkdir()
    (target / nested.split("/")[0]).symlink_to(outside, target_is_directory=True)
    result = cli("apps", "export", str(app["id"]), str(target), "--force")
    assert result.returncode == 1
    assert "symbolic link" in one_line_error(result)
    assert list(outside.iterdir()) == [] and [p.name for p in target.iterdir()] == [nested.split("/")[0]]


def test_missing_app_is_exit_4(cli: Cli, tmp_path: Path) -> None:
    for args in (["apps", "show", "987654"], ["apps", "export", "987654", str(tmp_path / "x")]):
        result = cli(*args)
        assert result.returncode == 4, args
        one_line_error(result)
    assert not (tmp_path / "x").exists()


def test_messages_list_and_delete_needs_dev(cli: Cli) -> None:
    job = cli.new_job("A pomodoro timer")
    messages = cli.json("messages", "list", str(job["id"]))
    assert [m["role"] for m in messages] == ["agent"]
    plain = cli("messages", "list", str(job["id"]))
    assert plain.returncode == 0 and f"#{messages[0]['id']}" in plain.stdout
    refused = cli("messages", "delete", str(messages[0]["id"]))
    assert refused.returncode == 2 and "--dev" in one_line_error(refused)
    deleted = cli("--dev", "messages", "delete", str(messages[0]["id"]))
    assert deleted.returncode == 0, deleted.stderr
    assert cli.json("messages", "list", str(job["id"])) == []
    gone = cli("messages", "delete", str(messages[0]["id"]), "--dev")
    assert gone.returncode == 4
    one_line_error(gone)


def test_messages_of_a_missing_job_is_exit_4(cli: Cli) -> None:
    result = cli("messages", "list", "987654")
    assert result.returncode == 4
    one_line_error(result)
