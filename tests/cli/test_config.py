"""Settings: config.toml < APPBUILDER_TUI_* env < flags; every mistake is one line saying where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, one_line_error, run_cli
from tests.support.live_server import LiveServer
from tui.config import DEFAULT_SERVER, ConfigError, load_settings

EXAMPLE = """\
# appbuilder-tui settings
default_profile = "staging"
theme = "textual-light"
timeout = 5

[profiles]
staging = "https://staging.example.com"
local = "127.0.0.1:8000"

[keymap]
"app.quit" = "ctrl+q"
"""


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in [n for n in os.environ if n.startswith("APPBUILDER_TUI_")]:
        monkeypatch.delenv(name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def error_of(path: Path, **flags: object) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, **flags)
    return str(caught.value)


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "config.toml")
    assert settings.timeout == 10 and settings.verify and not settings.dev and settings.theme is None
    assert settings.server_url() == DEFAULT_SERVER
    assert settings.server_url(last_used="http://10.0.0.1:9000/") == "http://10.0.0.1:9000"


def test_file_values_profiles_and_keymap(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, EXAMPLE))
    assert settings.theme == "textual-light" and settings.timeout == 5
    assert settings.keymap == {"app.quit": "ctrl+q"}
    assert settings.profiles["local"] == "http://127.0.0.1:8000"
    assert settings.server_url(last_used="http://other:1") == "https://staging.example.com"
    assert settings.server_url(flag_profile="local") == "http://127.0.0.1:8000"
    assert settings.server_url(flag_server="https://x.test", flag_profile="local") == "https://x.test"


def test_env_beats_file_and_flags_beat_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, EXAMPLE)
    monkeypatch.setenv("APPBUILDER_TUI_TIMEOUT", "7")
    monkeypatch.setenv("APPBUILDER_TUI_THEME", "nord")
    monkeypatch.setenv("APPBUILDER_TUI_DEV", "true")
    settings = load_settings(path)
    assert (settings.timeout, settings.theme, settings.dev) == (7, "nord", True)
    assert load_settings(path, timeout=2.5).timeout == 2.5
    monkeypatch.setenv("APPBUILDER_TUI_SERVER", "http://env.test:8000")
    assert load_settings(path).server_url() == "http://env.test:8000"  # a URL beats default_profile
    assert load_settings(path).server_url(flag_profile="local") == "http://127.0.0.1:8000"


@pytest.mark.parametrize(("text", "expected"), [
    ('theme = "x"\ntimeout = "soon"\n', ", line 2: timeout: Input should be a valid number"),
    ('dev = true\n\n[profiles]\nstaging = "nonsense"\n',
     ", line 4: profiles.staging: 'nonsense' is not a server URL"),
    ('# typo below\nthme = "nord"\n', ", line 2: thme: unknown key"),
    ('theme = "x"\ntimeout = [\n', ", line 2: timeout: invalid value (TOML syntax)"),
    ('[keymap]\n"app.quit" = ""\n', ", line 2: keymap.app.quit: no keys given"),
    ('timeout = 0\n', ", line 1: timeout: Input should be greater than 0"),
    ('ca_bundle = "/no/such/file.pem"\n', ", line 1: ca_bundle: '/no/such/file.pem' is not a file"),
    ('theme = "x"\ntoken = "abc.def.ghi"\n', ", line 2: token: secrets are not read from the config file"),
])
def test_file_errors_name_the_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}{expected}"), message
    assert "\n" not in message and "abc.def.ghi" not in message


def test_env_and_flag_errors_name_the_variable_or_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setenv("APPBUILDER_TUI_TIMEOUT", "abc")
    assert error_of(tmp_path / "none.toml").startswith("env APPBUILDER_TUI_TIMEOUT: ")
    monkeypatch.delenv("APPBUILDER_TUI_TIMEOUT")
    assert error_of(tmp_path / "none.toml", timeout=-1).startswith("--timeout: ")


def test_a_table_in_the_env_that_is_not_json_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setenv("APPBUILDER_TUI_KEYMAP", "app.quit=ctrl+q")
    assert error_of(tmp_path / "none.toml").startswith("env APPBUILDER_TUI_KEYMAP: not valid JSON")
    monkeypatch.setenv("APPBUILDER_TUI_KEYMAP", '{"app.quit": "ctrl+q"}')
    assert load_settings(tmp_path / "none.toml").keymap == {"app.quit": "ctrl+q"}


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, EXAMPLE))
    with pytest.raises(ConfigError, match=r"unknown profile 'prod' \(known: local, staging\)"):
        settings.server_url(flag_profile="prod")


# ----- through the command line ------------------------------------------------------------------------
def test_config_show_reports_the_merged_settings_without_secrets(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(EXAMPLE)
    result = run_cli("config", "show", "--json", "--timeout", "3", config_dir=tmp_path,
                     env={"APPBUILDER_TUI_THEME": "nord", "APPBUILDER_TUI_TOKEN": "secret.token.value"})
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["timeout"], shown["theme"], shown["default_profile"]) == (3, "nord", "staging")
    assert shown["server_used"] == "https://staging.example.com" and shown["token"] == "(set)"
    text = run_cli("config", "show", config_dir=tmp_path, env={"APPBUILDER_TUI_TOKEN": "secret.token.value"})
    assert 'theme = "textual-light"' in text.stdout and "[profiles]" in text.stdout
    assert "secret.token.value" not in text.stdout + result.stdout


def test_config_path_works_even_when_the_file_is_broken(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("this is [not toml\n")
    path = run_cli("config", "path", config_dir=tmp_path)
    assert path.returncode == 0 and path.stdout.strip() == str(tmp_path / "config.toml")
    shown = run_cli("config", "show", config_dir=tmp_path)
    assert shown.returncode == 2
    assert one_line_error(shown).startswith(f"appbuilder-tui: {tmp_path / 'config.toml'}, line 1: ")
    other = run_cli("jobs", "list", config_dir=tmp_path)
    assert other.returncode == 2 and "line 1" in one_line_error(other)


def test_profile_flag_picks_the_server(cli: Cli) -> None:
    (cli.config_dir / "config.toml").write_text(f'[profiles]\nmine = "{cli.server.url}"\n'
                                               'nowhere = "http://127.0.0.1:1"\n')
    cli.new_job("Via a profile")
    result = run_cli("--profile", "mine", "jobs", "list", config_dir=cli.config_dir)
    assert result.returncode == 0 and "Via a profile" in result.stdout, result.stderr
    unknown = run_cli("jobs", "list", "--profile", "prod", config_dir=cli.config_dir)
    assert unknown.returncode == 2
    assert one_line_error(unknown) == "appbuilder-tui: unknown profile 'prod' (known: mine, nowhere)"


def test_default_profile_is_used_without_flags(live_server: LiveServer, fresh_user: dict,
                                              tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'default_profile = "here"\n\n[profiles]\n'
                                          f'here = "{live_server.url}"\n')
    login = run_cli("login", "--username", fresh_user["username"], "--password-stdin", config_dir=tmp_path,
                    stdin=fresh_user["password"] + "\n")
    assert login.returncode == 0 and live_server.url in login.stdout, login.stderr
    assert run_cli("jobs", "list", config_dir=tmp_path).returncode == 0


def test_the_readme_example_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    settings = load_settings(write(tmp_path, example))
    assert settings.default_profile in settings.profiles and settings.keymap


def test_save_setting_keeps_comments_and_tables(tmp_path: Path) -> None:
    from tui.config import save_setting

    path = write(tmp_path, EXAMPLE)
    save_setting(path, "theme", "nord")
    save_setting(path, "dev", True)
    text = path.read_text()
    assert 'theme = "nord"' in text and "textual-light" not in text
    assert text.startswith("# appbuilder-tui settings\n")
    assert text.index("dev = true") < text.index("[profiles]")
    settings = load_settings(path)
    assert (settings.theme, settings.dev, settings.profiles["local"]) == ("nord", True, "http://127.0.0.1:8000")
    assert path.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "new" / "config.toml"
    save_setting(fresh, "theme", 'quote " and \\ backslash')
    assert load_settings(fresh).theme == 'quote " and \\ backslash'


def test_save_setting_leaves_a_broken_file_and_refuses_tables_and_secrets(tmp_path: Path) -> None:
    from tui.config import save_setting

    path = write(tmp_path, "theme = [\n")
    with pytest.raises(ConfigError, match="line 1"):
        save_setting(path, "theme", "nord")
    assert path.read_text() == "theme = [\n"
    for key in ("profiles", "token", "nonsense"):
        with pytest.raises(ValueError):
            save_setting(tmp_path / "other.toml", key, "x")


def test_config_path_all_lists_sessions_and_log(tmp_path: Path) -> None:
    result = run_cli("config", "path", "--all", config_dir=tmp_path / "cfg",
                     env={"APPBUILDER_TUI_LOG_DIR": str(tmp_path / "logs")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"config file  {tmp_path / 'cfg' / 'config.toml'}  (missing: defaults apply)",
        f"sessions     {tmp_path / 'cfg' / 'profiles'}",
        f"log file     {tmp_path / 'logs' / 'tui.log'}",
    ]
