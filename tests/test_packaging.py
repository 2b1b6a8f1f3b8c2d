"""What a user installs: a slim client without the server extra, one version, one-line hints."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import tui

ROOT = Path(__file__).resolve().parents[1]
SERVER_PACKAGES = {"django", "djangorestframework", "djangorestframework-simplejwt", "channels", "uvicorn"}
# An interpreter in which the server packages cannot be imported, then the CLI with the given arguments.
WITHOUT_SERVER = """
import importlib.abc, sys
SERVER = {"django", "rest_framework", "rest_framework_simplejwt", "channels", "uvicorn"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in SERVER:
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Block())
from tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def names(requirements: list[str]) -> set[str]:
    return {req.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].split("~")[0]
            .strip().lower() for req in requirements}


def test_client_dependencies_have_no_server_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not names(project["dependencies"]) & SERVER_PACKAGES
    assert SERVER_PACKAGES <= names(project["optional-dependencies"]["server"])


def test_pip_install_without_extras_resolves_no_django(tmp_path: Path) -> None:
    """What `pip install .` would install (resolved for real against the index, nothing installed)."""
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-q",
                           "--report", str(report), "-c", "constraints.txt", "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    installed = {item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]}
    assert {"textual", "httpx", "websockets", "pydantic", "platformdirs"} <= installed
    assert not installed & SERVER_PACKAGES, installed & SERVER_PACKAGES


def test_version_flag_prints_the_one_version() -> None:
    done = subprocess.run([sys.executable, "-m", "tui", "--version"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"appbuilder-tui {tui.__version__}"


def test_server_commands_without_the_extra_say_how_to_install() -> None:
    for argv in (["--demo"], ["server", "--port", "1"]):
        done = subprocess.run([sys.executable, "-c", WITHOUT_SERVER, *argv], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 1, (argv, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "pip install 'appbuilder-tui[server]'" in lines[0], done.stderr
        assert "Traceback" not in done.stderr
