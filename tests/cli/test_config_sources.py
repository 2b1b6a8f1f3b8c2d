"""How config.toml, the environment and flags merge (tui/config.py reads them itself, as pydantic-settings
did): env names in any case, unknown ones ignored, tables as JSON merged key by key, values as given."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.upper().startswith("APPBUILDER_TUI_")]:
        monkeypatch.delenv(name)


def settings_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, env: dict[str, str],
                **flags: object) -> dict[str, object]:
    path = tmp_path / "config.toml"
    if text:
        path.write_text(text)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(path, **flags)
    return settings.public()


def error_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_of(tmp_path, monkeypatch, text, env)
    return str(caught.value).replace(str(tmp_path / "config.toml"), "FILE")


@pytest.mark.parametrize(("text", "env", "key", "expected"), [
    ('[profiles]\nx = "http://x:2"\n', {"APPBUILDER_TUI_PROFILES": '{"y": "http://y:3"}'},
     "profiles", {"x": "http://x:2", "y": "http://y:3"}),
    ('[keymap]\n"a.b" = "f1"\n', {"appbuilder_tui_keymap": '{"a.b": "f2", "c.d": "f3"}'},
     "keymap", {"a.b": "f2", "c.d": "f3"}),
    ('[profiles]\nx = "http://x:2"\n', {"APPBUILDER_TUI_PROFILES": "null"}, "profiles", {"x": "http://x:2"}),
    ('server = "http://a:1"\n', {"APPBUILDER_TUI_Server": "http://b:2"}, "server", "http://b:2"),
    ("", {"APPBUILDER_TUI_SERVER": ""}, "server", None),
    ("", {"APPBUILDER_TUI_THEME": " nord "}, "theme", "nord"),
    ("dev = true\n", {"APPBUILDER_TUI_DEV": "false"}, "dev", False),
    ("", {"APPBUILDER_TUI_DEV": "yes"}, "dev", True),
    ("", {"APPBUILDER_TUI_VERIFY": "off"}, "verify", False),
    ("", {"APPBUILDER_TUI_TIMEOUT": " 3 "}, "timeout", 3.0),
    ("", {"APPBUILDER_TUI_TOKEN": ""}, "token", "(set)"),
    ("", {"APPBUILDER_TUI_NO_SUCH_SETTING": "1"}, "server", None),
])
def test_sources_merge_as_documented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                                     env: dict[str, str], key: str, expected: object) -> None:
    assert settings_of(tmp_path, monkeypatch, text, env)[key] == expected


def test_flags_beat_env_beat_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"APPBUILDER_TUI_TIMEOUT": "7"}
    assert settings_of(tmp_path, monkeypatch, "timeout = 5\n", env)["timeout"] == 7.0
    assert settings_of(tmp_path, monkeypatch, "timeout = 5\n", env, timeout=9)["timeout"] == 9.0


@pytest.mark.parametrize(("text", "env", "expected"), [
    ("", {"APPBUILDER_TUI_DEV": ""}, "env APPBUILDER_TUI_DEV: Input should be a valid boolean, unable to "
                                     "interpret input"),
    ("", {"APPBUILDER_TUI_KEYMAP": '["a"]'}, "env APPBUILDER_TUI_KEYMAP: Input should be a valid dictionary"),
    ("", {"appbuilder_tui_profiles": "{nope"},
     "env APPBUILDER_TUI_PROFILES: not valid JSON (a table is given as a JSON object, e.g. "
     "'{\"app.quit\": \"ctrl+q\"}')"),
    ("", {"APPBUILDER_TUI_PROFILES": '{"a": "bad url"}'},
     "env APPBUILDER_TUI_PROFILES: 'bad url' is not a server URL (expected http://host:port or https://host)"),
    ("foo = 1\n", {}, "FILE, line 1: foo: unknown key"),
    ("[profiles]\na = 3\n", {}, "FILE, line 2: profiles.a: Input should be a valid string"),
])
def test_mistakes_are_one_line_naming_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                                                 env: dict[str, str], expected: str) -> None:
    assert error_of(tmp_path, monkeypatch, text, env) == expected
