"""The tree is ruff clean and tui/ type-checks (part of the single README test command)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tool(name: str) -> list[str]:
    """The tool of this interpreter's environment (the pinned one), else the one on PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    return [found] if found else [sys.executable, "-m", name]


def test_ruff_clean() -> None:
    result = subprocess.run([*tool("ruff"), "check", "tui", "server", "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_clean() -> None:
    """`mypy` with the [tool.mypy] settings of pyproject.toml: tui/, and the test doubles against
    tui/protocols.py."""
    result = subprocess.run([*tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
