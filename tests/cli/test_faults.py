"""A server that misbehaves: slow (the --timeout flag and config key), 5xx and HTML answers."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import one_line_error, run_cli
from tests.support.bad_server import BadServer
from tui.services.tokens import StoredTokens, TokenStore


def saved_session(config_dir: Path, url: str) -> None:
    """BadServer answers auth/me/ with a user, so any saved tokens resume."""
    TokenStore(config_dir).save(StoredTokens(url, "victim", "a.b.c", "d.e.f"))


def test_timeout_from_the_flag_and_from_the_file_is_exit_5(tmp_path: Path) -> None:
    with BadServer("slow", delay=5) as bad:
        saved_session(tmp_path, bad.url)
        flag = run_cli("--server", bad.url, "jobs", "list", "--timeout", "0.5", config_dir=tmp_path)
        assert flag.returncode == 5
        assert "timed out after 0.5s" in one_line_error(flag)
        (tmp_path / "config.toml").write_text("timeout = 0.7\n")
        file = run_cli("--server", bad.url, "jobs", "list", config_dir=tmp_path)
        assert file.returncode == 5
        assert "timed out after 0.7s" in one_line_error(file)


def test_server_errors_are_exit_1_in_one_line(tmp_path: Path) -> None:
    with BadServer("500-html") as bad:
        saved_session(tmp_path, bad.url)
        result = run_cli("--server", bad.url, "jobs", "list", config_dir=tmp_path)
        assert result.returncode == 1
        assert "HTML page instead of JSON" in one_line_error(result)


def test_login_to_something_that_is_not_appbuilder(tmp_path: Path) -> None:
    with BadServer("200-html") as bad:
        result = run_cli("--server", bad.url, "login", "--username", "u", "--password-stdin",
                         config_dir=tmp_path, stdin="pw\n")
        assert result.returncode == 1
        assert "is not an appbuilder server" in one_line_error(result)


def test_gateway_errors_count_as_unavailable() -> None:
    from tui.cli.exits import ERROR, UNAVAILABLE, code_for
    from tui.services.errors import ServerError

    assert [code_for(ServerError(status=s)) for s in (500, 502, 503, 504)] == [ERROR] + [UNAVAILABLE] * 3
