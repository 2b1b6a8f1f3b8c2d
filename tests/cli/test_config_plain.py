"""tui/config.py without pydantic (it cost ~120-150 ms of CPU at every start): the same values accepted and
the same one-line messages. Every message below is what the pydantic 2 model printed for that input (run
on the code before the rewrite), so a user sees exactly what they saw before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import one_line_error, run_cli
from tui.config import ConfigError, Invalid, Secret, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
URL = "is not a server URL (expected http://host:port or https://host)"
STRING, DICT = "Input should be a valid string", "Input should be a valid dictionary"
BOOL = "Input should be a valid boolean"
UNREAD_BOOL = f"{BOOL}, unable to interpret input"
NUMBER = "Input should be a valid number"
UNREAD_NUMBER = f"{NUMBER}, unable to parse string as a number"
ABOVE_0, UP_TO_600 = "Input should be greater than 0", "Input should be less than or equal to 600"
PATH = "Input is not a valid path for <class 'pathlib.Path'>"


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.upper().startswith("APPBUILDER_TUI_")]:
        monkeypatch.delenv(name)


def error_of(path: Path, **flags: object) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, **flags)
    return str(caught.value)


def test_importing_the_settings_loads_no_pydantic() -> None:
    code = "import sys, tui.config; assert 'pydantic' not in sys.modules, 'pydantic imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ('thme = "nord"', "line 1: thme: unknown key"),
    ('zzz = 1\naaa = 2', "line 1: zzz: unknown key"),
    ('thme = "nord"\ntimeout = "soon"', f"line 2: timeout: {UNREAD_NUMBER}"),  # a bad value before a typo
    ('timeout = 0\ntheme = 3', f"line 2: theme: {STRING}"),  # the first field in field order
    ('keymap = 1\nprofiles = 1', f"line 2: profiles: {DICT}"),
    ('notify = 5\ndev = 5', f"line 2: dev: {UNREAD_BOOL}"),
    ('server = 3', f"line 1: server: {STRING}"),
    ('server = true', f"line 1: server: {STRING}"),
    ('server = "nonsense"', f"line 1: server: 'nonsense' {URL}"),
    ('server = "ftp://a"', f"line 1: server: 'ftp://a' {URL}"),
    ('profiles = "x"', f"line 1: profiles: {DICT}"),
    ('profiles = []', f"line 1: profiles: {DICT}"),
    ('[profiles]\na = 3', f"line 2: profiles.a: {STRING}"),
    ('[profiles]\na = "bad url"\nb = 3', f"line 2: profiles.a: 'bad url' {URL}"),
    ('[profiles]\na = ""', f"line 2: profiles.a: '' {URL}"),
    ('[profiles.staging]\nurl = "x"', f"line 1: profiles.staging: {STRING}"),
    ('default_profile = ""', "line 1: default_profile: must not be empty"),
    ('default_profile = 3', f"line 1: default_profile: {STRING}"),
    ('theme = "  "', "line 1: theme: must not be empty"),
    ('theme = true', f"line 1: theme: {STRING}"),
    ('theme = 1.5', f"line 1: theme: {STRING}"),
    ('theme = 1979-05-27', f"line 1: theme: {STRING}"),
    ('dev = "maybe"', f"line 1: dev: {UNREAD_BOOL}"),
    ('dev = " yes "', f"line 1: dev: {UNREAD_BOOL}"),
    ('dev = ""', f"line 1: dev: {UNREAD_BOOL}"),
    ('dev = "1.0"', f"line 1: dev: {UNREAD_BOOL}"),
    ('dev = 2', f"line 1: dev: {UNREAD_BOOL}"),
    ('dev = -1', f"line 1: dev: {UNREAD_BOOL}"),
    ('dev = 0.5', f"line 1: dev: {BOOL}"),
    ('dev = nan', f"line 1: dev: {BOOL}"),
    ('dev = []', f"line 1: dev: {BOOL}"),
    ('dev = 1979-05-27', f"line 1: dev: {BOOL}"),
    ('verify = "nope"', f"line 1: verify: {UNREAD_BOOL}"),
    ('notify = 2', f"line 1: notify: {UNREAD_BOOL}"),
    ('timeout = 0', f"line 1: timeout: {ABOVE_0}"),
    ('timeout = -0.0', f"line 1: timeout: {ABOVE_0}"),
    ('timeout = "-0"', f"line 1: timeout: {ABOVE_0}"),
    ('timeout = false', f"line 1: timeout: {ABOVE_0}"),
    ('timeout = -inf', f"line 1: timeout: {ABOVE_0}"),
    ('timeout = 601', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = 600.0001', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = 1000000000000000000000000000000', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = "1e400"', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = nan', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = inf', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = "NaN"', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = "-nan"', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = "Infinity"', f"line 1: timeout: {UP_TO_600}"),
    ('timeout = "soon"', f"line 1: timeout: {UNREAD_NUMBER}"),
    ('timeout = ""', f"line 1: timeout: {UNREAD_NUMBER}"),
    ('timeout = "  "', f"line 1: timeout: {UNREAD_NUMBER}"),
    ('timeout = "0x10"', f"line 1: timeout: {UNREAD_NUMBER}"),
    ('timeout = "\u0661\u0662"', f"line 1: timeout: {UNREAD_NUMBER}"),  # Arabic-Indic digits
    ('timeout = "5 5"', f"line 1: timeout: {UNREAD_NUMBER}"),
    ('timeout = "1,5"', f"line 1: timeout: {UNREAD_NUMBER}"),
    ('timeout = "1__0"', f"line 1: timeout: {UNREAD_NUMBER}"),
    ('timeout = "_1"', f"line 1: timeout: {UNREAD_NUMBER}"),
    ('timeout = []', f"line 1: timeout: {NUMBER}"),
    ('timeout = 1979-05-27', f"line 1: timeout: {NUMBER}"),
    ('ca_bundle = "/no/such/file.pem"', "line 1: ca_bundle: '/no/such/file.pem' is not a file"),
    ('ca_bundle = ""', "line 1: ca_bundle: '.' is not a file"),
    ('ca_bundle = "DIR"', "line 1: ca_bundle: 'DIR' is not a file"),
    ('ca_bundle = 3', f"line 1: ca_bundle: {PATH}"),
    ('ca_bundle = true', f"line 1: ca_bundle: {PATH}"),
    ('[keymap]\n"app.quit" = " , "', "line 2: keymap.app.quit: no keys given"),
    ('[keymap]\n"app.quit" = 3', f"line 2: keymap.app.quit: {STRING}"),
    ('[keymap]\na = "f1"\nb = ""\nc = 3', "line 3: keymap.b: no keys given"),
    ('keymap = "x"', f"line 1: keymap: {DICT}"),
    ('token = "abc"', "line 1: token: secrets are not read from the config file; set APPBUILDER_TUI_TOKEN in "
                      "the environment"),
])
def test_file_mistakes_read_as_before(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text.replace("DIR", str(tmp_path)) + "\n")
    assert error_of(path) == f"{path}, {expected.replace('DIR', str(tmp_path))}"


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("DEV", "", UNREAD_BOOL),
    ("DEV", "2", UNREAD_BOOL),
    ("DEV", " yes ", UNREAD_BOOL),
    ("NOTIFY", "nah", UNREAD_BOOL),
    ("TIMEOUT", "", UNREAD_NUMBER),
    ("TIMEOUT", "true", UNREAD_NUMBER),
    ("TIMEOUT", "0", ABOVE_0),
    ("TIMEOUT", "601", UP_TO_600),
    ("TIMEOUT", "inf", UP_TO_600),
    ("SERVER", "nonsense", f"'nonsense' {URL}"),
    ("THEME", "", "must not be empty"),
    ("DEFAULT_PROFILE", "", "must not be empty"),
    ("KEYMAP", '"s"', DICT),
    ("KEYMAP", '{"a": null}', STRING),
    ("KEYMAP", '{"a": ""}', "no keys given"),
    ("PROFILES", "true", DICT),
    ("PROFILES", '{"a": {"b": 1}}', STRING),
    ("CA_BUNDLE", "", "'.' is not a file"),
    ("CA_BUNDLE", "/no", "'/no' is not a file"),
])
def test_env_mistakes_read_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                     expected: str) -> None:
    monkeypatch.setenv(f"APPBUILDER_TUI_{name}", value)
    assert error_of(tmp_path / "none.toml") == f"env APPBUILDER_TUI_{name}: {expected}"


@pytest.mark.parametrize(("flags", "expected"), [
    ({"timeout": -1}, f"--timeout: {ABOVE_0}"),
    ({"timeout": 601}, f"--timeout: {UP_TO_600}"),
    ({"timeout": float("nan")}, f"--timeout: {UP_TO_600}"),
    ({"timeout": "abc"}, f"--timeout: {UNREAD_NUMBER}"),
    ({"dev": "maybe"}, f"--dev: {UNREAD_BOOL}"),
    ({"theme": ""}, "--theme: must not be empty"),
    ({"nonsense": 1}, "--nonsense: unknown key"),
])
def test_flag_mistakes_read_as_before(tmp_path: Path, flags: dict[str, object], expected: str) -> None:
    assert error_of(tmp_path / "none.toml", **flags) == expected


def test_the_command_line_prints_the_same_lines(tmp_path: Path) -> None:
    flag = run_cli("config", "show", "--timeout", "0", config_dir=tmp_path)
    assert flag.returncode == 2 and one_line_error(flag) == f"appbuilder-tui: --timeout: {ABOVE_0}"
    env = run_cli("config", "show", config_dir=tmp_path, env={"APPBUILDER_TUI_VERIFY": "perhaps"})
    assert one_line_error(env) == f"appbuilder-tui: env APPBUILDER_TUI_VERIFY: {UNREAD_BOOL}"


@pytest.mark.parametrize(("text", "key", "expected"), [
    ('dev = "YES"', "dev", True), ('dev = "On"', "dev", True), ('dev = "F"', "dev", False),
    ('dev = "0"', "dev", False), ("dev = 1", "dev", True), ("dev = 0.0", "dev", False),
    ('verify = "off"', "verify", False), ('notify = "n"', "notify", False),
    ("timeout = 5", "timeout", 5.0), ('timeout = "1e2"', "timeout", 100.0),
    ("timeout = 600", "timeout", 600.0), ('timeout = "1_0"', "timeout", 10.0),
    ('timeout = "3.0\\n"', "timeout", 3.0), ('timeout = "+.5"', "timeout", 0.5),
    ("timeout = true", "timeout", 1.0),  # pydantic's lax mode read a bool as 0 or 1
    ('server = ""', "server", None), ('server = " http://a:1/ "', "server", "http://a:1"),
    ('theme = " nord "', "theme", "nord"), ('default_profile = " p "', "default_profile", "p"),
    ('[keymap]\na = " ctrl+q , f10 ,"', "keymap", {"a": "ctrl+q,f10"}),
    ('[profiles]\na = "a:1"\nb = "https://b/"', "profiles", {"a": "http://a:1", "b": "https://b"}),
    ('ca_bundle = "~/ca.pem"', "ca_bundle", "HOME/ca.pem"),
])
def test_accepted_values_read_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, key: str,
                                        expected: object) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "ca.pem").write_text("pem")
    path = tmp_path / "config.toml"
    path.write_text(text + "\n")
    shown = load_settings(path).public()[key]
    assert shown == (expected.replace("HOME", str(tmp_path)) if isinstance(expected, str) else expected)
    assert type(shown) is type(expected)


def test_keywords_are_checked_too() -> None:
    settings = Settings(theme=" nord ", timeout="5", keymap={"app.help": "f2 ,"})
    assert (settings.theme, settings.timeout, settings.keymap) == ("nord", 5.0, {"app.help": "f2"})
    with pytest.raises(Invalid) as caught:
        Settings(profiles={3: "http://a:1"})
    assert (caught.value.loc, caught.value.message) == (("profiles", "3", "[key]"), STRING)
    with pytest.raises(Invalid, match="^dev: Input should be a valid boolean$"):
        Settings(dev=None)


def test_secrets_never_show() -> None:
    settings = Settings(token="abc.def", refresh_token="")
    assert settings.token == Secret("abc.def") and settings.token.get_secret_value() == "abc.def"
    assert "abc.def" not in repr(settings) + str(settings.token)
    assert repr(settings.token) == "Secret('**********')" and repr(settings.refresh_token) == "Secret('')"
    assert settings.public()["token"] == settings.public()["refresh_token"] == "(set)"
