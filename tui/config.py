"""The client's settings: defaults, then `config.toml`, then `APPBUILDER_TUI_*` env vars, then flags.

`load_settings(path, **flags)` returns one `Settings`; any mistake (TOML syntax, unknown key, wrong type, a
secret in the file) raises `ConfigError` whose message is one line naming where: the file and line, the env
var, or the flag. Secrets (`token`, `refresh_token`) come only from the environment and are never written.

The three sources are merged here, as pydantic-settings merged them (it was 30-60 ms of imports at every
start): env names in any case, a table (`profiles`, `keymap`) given in the environment as a JSON object
and merged key by key into the file's, scalars as the strings they are (pydantic validates them all).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, get_origin
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

ENV_PREFIX = "APPBUILDER_TUI_"
ENV_ONLY = ("token", "refresh_token")
DEFAULT_SERVER = "http://127.0.0.1:8000"


class ConfigError(Exception):
    """A one-line description of a bad setting, naming the file and line, env var or flag."""


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


ServerUrl = Annotated[str, AfterValidator(check_server_url)]
Keys = Annotated[str, AfterValidator(check_keys)]


class Settings(BaseModel):
    """Everything configurable. Every key is also the env var APPBUILDER_TUI_<KEY> (upper case)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    server: str | None = Field(None, description="server URL; beats default_profile")
    profiles: dict[str, ServerUrl] = Field(default_factory=dict, description="profile name -> server URL")
    default_profile: str | None = Field(None, description="profile used without --server/--profile")
    theme: str | None = Field(None, description="Textual theme name, e.g. textual-light")
    dev: bool = Field(False, description="dev mode: purge and message tools")
    timeout: float = Field(10.0, gt=0, le=600, description="seconds to wait for the server")
    verify: bool = Field(True, description="check the server's TLS certificate")
    ca_bundle: Path | None = Field(None, description="PEM file of CAs to trust instead of the system's")
    notify: bool = Field(True, description="bell and desktop notification when a watched build ends")
    keymap: dict[str, Keys] = Field(default_factory=dict, description="binding id -> keys, e.g. ctrl+q")
    token: SecretStr | None = Field(None, description="access token (env only, never saved)")
    refresh_token: SecretStr | None = Field(None, description="refresh token (env only, never saved)")

    @field_validator("server")
    @classmethod
    def _server(cls, value: str | None) -> str | None:
        return check_server_url(value) if value else None

    @field_validator("theme", "default_profile")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value.strip() if value else None

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle(cls, value: Path | None) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            raise ValueError(f"{str(value)!r} is not a file")
        return value.expanduser() if value else None

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
        """The settings as `config show` prints them: secrets only say whether they are set."""
        data = self.model_dump(mode="json", exclude=set(ENV_ONLY))
        for name in ENV_ONLY:
            data[name] = "(set)" if getattr(self, name) is not None else None
        return data


def checked_flag(flag: str, url: str) -> str:
    try:
        return check_server_url(url)
    except ValueError as err:
        raise ConfigError(f"{flag}: {err}") from None


def tables() -> set[str]:
    """The settings that are tables (given in the environment as JSON objects)."""
    return {name for name, field in Settings.model_fields.items() if get_origin(field.annotation) is dict}


def from_env() -> dict[str, Any]:
    """The `APPBUILDER_TUI_*` variables that name a setting (found by `env_name`, so an error names the
    variable that was read; unknown ones are ignored); a table's JSON decoded (JSON null: not set)."""
    table_names = tables()
    found: dict[str, Any] = {}
    for name in Settings.model_fields:
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
        return Settings.model_validate(merged(data, from_env(), given))
    except ValidationError as err:
        raise ConfigError(describe(err, path, given)) from None


def save_setting(path: Path, key: str, value: str | bool | float) -> None:
    """Set one top-level key in the config file (e.g. the theme chosen in the palette), keeping comments,
    order and everything else. A broken file is left alone (ConfigError); the write is atomic, mode 0600."""
    from tui.services.tokens import write_atomic  # here: reading settings must not load the service layer

    field = Settings.model_fields.get(key)
    if field is None or key in ENV_ONLY or get_origin(field.annotation) is dict:
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


def describe(err: ValidationError, path: Path, flags: dict[str, Any]) -> str:
    """The first problem, in one line, said where it came from."""
    first = err.errors()[0]
    loc = tuple(str(part) for part in first["loc"])
    key = ".".join(loc)
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    name = loc[0] if loc else ""
    if name in flags:
        return f"--{name.replace('_', '-')}: {msg}"
    env = env_name(name)
    if env:
        return f"env {env}: {msg}"
    return f"{path}, line {key_line(path, loc)}: {key}: {msg}"


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
