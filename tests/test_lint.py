"""The tree is ruff clean (part of the single README test command)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or f"{sys.executable} -m ruff"
    result = subprocess.run([*ruff.split(), "check", "tui", "server", "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
