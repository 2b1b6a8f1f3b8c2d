"""The client's settings: defaults, then `config.toml`, then `APPBUILDER_TUI_*` env vars, then flags.

`load_settings(path, **flags)` returns one `Settings`; any mistake (TOML syntax, unknown key, wrong type, a
secret in the file) raises `ConfigError` whose message is one line naming where: the file and line, the env
var, or the flag. Secrets (`token`, `refresh_token`) come only from the environment and are never written.

Plain Python, no pydantic: the settings are read before the TUI's first frame, and importing pydantic and
building a first model cost ~120-150 ms of CPU there. The sources are merged here (env names in any case, a
table (`profiles`, `keymap`) given in the environment as a JSON object and merged key by key into the
file's, scalars as the strings they are), and each field's check takes what pydantic's lax mode took and
words a mistake as pydantic did, so the messages users and docs know stay the same.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "APPBUILDER_TUI_"
ENV_ONLY = ("token", "refresh_token")
DEFAULT_SERVER = "http://127.0.0.1:8000"


class ConfigError(Exception):
    """A one-line description of a bad setting, naming the file and line, env var or flag."""


class Invalid(ValueError):
    """A bad value: where (`loc`, e.g. ("profiles", "staging")) and what is wrong; `describe` says where it
    came from (file line, env var or flag)."""

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(f"{'.'.join(loc)}: {message}")
        self.loc = loc
        self.message = message


@dataclass(frozen=True, slots=True)
class Secret:
    """A token: `get_secret_value()` gives it; repr and str never do (logs, tracebacks, `config show`)."""

    _value: str

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"Secret('{self}')"


def check_server_url(url: str) -> str:
    """`http(s)://host[:port]` (or `host:port`, read as http), without a trailing slash; ValueError if not."""
    text = url.strip().rstrip("/")
    candidate = text if "://" in text else f"http://{text}"
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        parts, port = None, None
    bare_name = "://" not in text and port is None  # "nonsense": a typo far more often than a host
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname or bare_name
            or parts.path not in ("", "/") or parts.query or parts.fragment or " " in text):
        raise ValueError(f"{url!r} is not a server URL (expected http://host:port or https://host)")
    return candidate


def check_keys(keys: str) -> str:
    """Textual's key list ("ctrl+q,f10"), tidied; ValueError if empty."""
    tidy = ",".join(key.strip() for key in keys.split(",") if key.strip())
    if not tidy:
        raise ValueError("no keys given")
    return tidy


# ----- the checks of one value: the clean value, or ValueError worded as pydantic worded it ----------------
BOOLEANS = dict.fromkeys(("1", "on", "t", "true", "y", "yes"), True) | dict.fromkeys(
    ("0", "off", "f", "false", "n", "no"), False)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Input should be a valid string")
    return value


def optional_url(value: Any) -> str | None:
    """Empty is not set (an empty env var)."""
    return check_server_url(value) if value is not None and text(value) else None


def optional_name(value: Any) -> str | None:
    if value is not None and not text(value).strip():
        raise ValueError("must not be empty")
    return value.strip() if value is not None else None


def boolean(value: Any) -> bool:
    """True/False, 0/1 and the words of BOOLEANS in any case; other whole numbers (in 64 bits) and strings
    are "unable to interpret", anything else is not a boolean at all (pydantic's two messages)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in BOOLEANS:
        return BOOLEANS[value.lower()]
    if isinstance(value, int | float) and value in (0, 1):
        return value == 1
    whole = isinstance(value, int | float) and -(2**63) <= value < 2**63 and float(value).is_integer()
    if isinstance(value, str) or whole:
        raise ValueError("Input should be a valid boolean, unable to interpret input")
    raise ValueError("Input should be a valid boolean")


def number_in(value: str) -> float:
    """A number in a string as pydantic read one: spaces around, `_` between digits, ASCII digits only, and
    nan and inf (the bounds refuse them)."""
    number = value.strip()
    if not (number.startswith("_") or number.endswith("_") or "__" in number):
        number = number.replace("_", "")
    try:
        if number.isascii():
            return float(number)
    except ValueError:
        pass
    raise ValueError("Input should be a valid number, unable to parse string as a number")


def seconds(value: Any) -> float:
    """0 < seconds <= 600, as a number or a string of one; bools are 0 and 1 (pydantic's lax mode)."""
    if isinstance(value, str):
        value = number_in(value)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("Input should be a valid number") from None
    if number <= 0:
        raise ValueError("Input should be greater than 0")
    if not number <= 600:  # nan too
        raise ValueError("Input should be less than or equal to 600")
    return number


def pem_file(value: Any) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike):
        raise ValueError("Input is not a valid path for <class 'pathlib.Path'>")
    path = Path(value)
    if not path.expanduser().is_file():
        raise ValueError(f"{str(path)!r} is not a file")
    return path.expanduser()


def secret(value: Any) -> Secret | None:
    return value if value is None or isinstance(value, Secret) else Secret(text(value))


def entries(check: Callable[[str], str]) -> Callable[[Any], dict[str, str]]:
    """The check of a table: text -> text, each value checked by `check`; a mistake names its key."""
    def checked(value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ValueError("Input should be a valid dictionary")
        result: dict[str, str] = {}
        for key, item in value.items():
            where = (key,) if isinstance(key, str) else (str(key), "[key]")
            try:
                name = text(key)  # the key first, as pydantic
                result[name] = check(text(item))
            except ValueError as err:
                raise Invalid(where, str(err)) from None
        return result
    return checked


def setting(check: Callable[[Any], Any], description: str, default: Any = None) -> Any:
    """A field of `Settings` with its check and what it is for."""
    return field(default=default, metadata={"check": check, "description": description})


def table_setting(check: Callable[[str], str], description: str) -> Any:
    """A table field (name -> text), empty by default; given in the environment as a JSON object."""
    return field(default_factory=dict, metadata={"check": entries(check), "description": description})


@dataclass(slots=True)
class Settings:
    """Everything configurable, checked when made. Every key is also the env var APPBUILDER_TUI_<KEY> (upper
    case). Not frozen: the app keeps the theme picked in the palette."""

    server: str | None = setting(optional_url, "server URL; beats default_profile")
    profiles: dict[str, str] = table_setting(check_server_url, "profile name -> server URL")
    default_profile: str | None = setting(optional_name, "profile used without --server/--profile")
    theme: str | None = setting(optional_name, "Textual theme name, e.g. textual-light")
    dev: bool = setting(boolean, "dev mode: purge and message tools", False)
    timeout: float = setting(seconds, "seconds to wait for the server", 10.0)
    verify: bool = setting(boolean, "check the server's TLS certificate", True)
    ca_bundle: Path | None = setting(pem_file, "PEM file of CAs to trust instead of the system's")
    notify: bool = setting(boolean, "bell and desktop notification when a watched build ends", True)
    keymap: dict[str, str] = table_setting(check_keys, "binding id -> keys, e.g. ctrl+q")
    token: Secret | None = setting(secret, "access token (env only, never saved)")
    refresh_token: Secret | None = setting(secret, "refresh token (env only, never saved)")

    def __post_init__(self) -> None:
        """Each value checked and tidied in field order; the first mistake raises Invalid."""
        for each in fields(self):
            try:
                value = each.metadata["check"](getattr(self, each.name))
            except Invalid as err:
                raise Invalid((each.name, *err.loc), err.message) from None
            except ValueError as err:
                raise Invalid((each.name,), str(err)) from None
            setattr(self, each.name, value)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Settings:
        """Settings from merged sources; a bad value is reported before an unknown key, as pydantic did."""
        known = names()
        settings = cls(**{key: value for key, value in data.items() if key in known})
        unknown = next((key for key in data if key not in known), None)
        if unknown is not None:
            raise Invalid((unknown,), "unknown key")
        return settings

    # ----- the server to talk to --------------------------------------------------------------------
    def profile_url(self, name: str) -> str:
        if name not in self.profiles:
            known = ", ".join(sorted(self.profiles)) or "none defined"
            raise ConfigError(f"unknown profile {name!r} (known: {known})")
        return self.profiles[name]

    def server_url(self, flag_server: str | None = None, flag_profile: str | None = None,
                   last_used: str | None = None) -> str:
        """--server, else --profile, else `server`, else `default_profile`, else the last used, else local."""
        if flag_server:
            return checked_flag("--server", flag_server)
        if flag_profile:
            return self.profile_url(flag_profile)
        if self.server:
            return self.server
        if self.default_profile:
            return self.profile_url(self.default_profile)
        return last_used.rstrip("/") if last_used else DEFAULT_SERVER

    def public(self) -> dict[str, Any]:
        """The settings as `config show` prints them (JSON values): secrets only say whether they are set."""
        data = {each.name: getattr(self, each.name) for each in fields(self)}
        data["ca_bundle"] = None if self.ca_bundle is None else str(self.ca_bundle)
        for secret_name in ENV_ONLY:
            data[secret_name] = "(set)" if data[secret_name] is not None else None
        return data


def checked_flag(flag: str, url: str) -> str:
    try:
        return check_server_url(url)
    except ValueError as err:
        raise ConfigError(f"{flag}: {err}") from None


def names() -> tuple[str, ...]:
    """The settings, in order."""
    return tuple(each.name for each in fields(Settings))


def tables() -> set[str]:
    """The settings that are tables (given in the environment as JSON objects)."""
    return {each.name for each in fields(Settings) if each.default_factory is dict}


def from_env() -> dict[str, Any]:
    """The `APPBUILDER_TUI_*` variables that name a setting (found by `env_name`, so an error names the
    variable that was read; unknown ones are ignored); a table's JSON decoded (JSON null: not set)."""
    table_names = tables()
    found: dict[str, Any] = {}
    for name in names():
        variable = env_name(name)
        if variable is None:
            continue
        value = os.environ[variable]
        if name not in table_names:
            found[name] = value
            continue
        try:
            table = json.loads(value)
        except ValueError:
            raise ConfigError(f"env {variable.upper()}: not valid JSON (a table is given as a JSON "
                              f"object, e.g. '{{\"app.quit\": \"ctrl+q\"}}')") from None
        if table is not None:
            found[name] = table
    return found


def merged(*sources: dict[str, Any]) -> dict[str, Any]:
    """Later sources win; tables found in two sources are merged key by key."""
    result: dict[str, Any] = {}
    for source in sources:
        for key, value in source.items():
            if isinstance(value, dict) and isinstance(result.get(key), dict):
                result[key] = merged(result[key], value)
            else:
                result[key] = value
    return result


def load_settings(path: Path, **flags: Any) -> Settings:
    """Settings from `path` (may be missing), the environment and `flags` (None values are ignored)."""
    given = {name: value for name, value in flags.items() if value is not None}
    data = read_toml(path)
    for name in ENV_ONLY:
        if name in data:
            raise ConfigError(f"{path}, line {key_line(path, (name,))}: {name}: secrets are not read from "
                              f"the config file; set {ENV_PREFIX}{name.upper()} in the environment")
    try:
        return Settings.from_mapping(merged(data, from_env(), given))
    except Invalid as err:
        raise ConfigError(describe(err, path, given)) from None


def save_setting(path: Path, key: str, value: str | bool | float) -> None:
    """Set one top-level key in the config file (e.g. the theme chosen in the palette), keeping comments,
    order and everything else. A broken file is left alone (ConfigError); the write is atomic, mode 0600."""
    from tui.services.tokens import write_atomic  # here: reading settings must not load the service layer

    if key not in names() or key in ENV_ONLY or key in tables():
        raise ValueError(f"{key!r} is not a top-level setting that can be saved")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    read_toml(path)
    lines = text.splitlines()
    first_table = next((i for i, line in enumerate(lines) if TABLE.match(line)), len(lines))
    entry = f"{key} = {toml_value(value)}"
    for number in range(first_table):
        match = KEY.match(lines[number])
        if match and split_key(match.group(1)) == (key,):
            lines[number] = entry
            break
    else:
        lines.insert(first_table, entry)
    new = "\n".join(lines) + "\n"
    try:
        tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"{path}: {key} could not be saved without rewriting the file by hand") from None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, new)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot be read ({type(err).__name__})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(syntax_error(path, text, str(err))) from None


def syntax_error(path: Path, text: str, message: str) -> str:
    """tomllib's "Invalid value (at line 2, column 11)" as "FILE, line 2: timeout: invalid value (TOML)"."""
    lines = text.splitlines()
    where = re.search(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)", message)
    number = int(where.group(1)) if where and where.group(1) else max(len(lines), 1)
    what = (message[: where.start()] if where else message).strip()
    key = KEY.match(lines[number - 1]) if 0 < number <= len(lines) else None
    name = f"{key.group(1).strip(chr(34) + chr(39))}: " if key else ""
    return f"{path}, line {number}: {name}{what[:1].lower()}{what[1:]} (TOML syntax)"


def describe(err: Invalid, path: Path, flags: dict[str, Any]) -> str:
    """The problem, in one line, said where it came from."""
    name = err.loc[0]
    if name in flags:
        return f"--{name.replace('_', '-')}: {err.message}"
    env = env_name(name)
    if env:
        return f"env {env}: {err.message}"
    return f"{path}, line {key_line(path, err.loc)}: {'.'.join(err.loc)}: {err.message}"


def env_name(field: str) -> str | None:
    """The env var that set `field`, if any (in any case, as `from_env` matches them)."""
    wanted = f"{ENV_PREFIX}{field}".upper()
    return next((name for name in os.environ if name.upper() == wanted), None)


TABLE = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")
KEY_PART = re.compile(r"\"[^\"]*\"|'[^']*'|[^.\s]+")
KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def key_line(path: Path, loc: tuple[str, ...]) -> int | str:
    """The line where `loc` (e.g. ("profiles", "staging")) is set in the TOML file; "?" if not found."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return "?"
    table: tuple[str, ...] = ()
    fallback: int | str = "?"
    for number, line in enumerate(lines, start=1):
        header = TABLE.match(line)
        if header:
            table = split_key(header.group(1))
            if table == loc[: len(table)] and fallback == "?":
                fallback = number
            continue
        match = KEY.match(line)
        if match:
            dotted = split_key(match.group(1))
            full = table + dotted
            if full == loc or (full == loc[: len(full)] and len(full) < len(loc)):
                return number
    return fallback


def split_key(text: str) -> tuple[str, ...]:
    """`a."b.c"` -> ("a", "b.c"): dots inside quotes are part of the key."""
    return tuple(part.strip("\"'") for part in KEY_PART.findall(text))
