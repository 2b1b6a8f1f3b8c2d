"""The README's screenshots are the committed snapshots of those screens (regenerated with them)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "tui" / "__snapshots__"
SHOTS = {
    "dashboard.svg": SNAPSHOTS / "test_shell_snapshot" / "test_snapshot_dashboard_rows[120x40].svg",
    "live-build.svg": SNAPSHOTS / "test_live_build_snapshot"
    / "test_snapshot_live_build_collecting[120x40].svg",
}


@pytest.mark.parametrize("name", sorted(SHOTS))
def test_readme_screenshot_matches_snapshot(name: str) -> None:
    shot = ROOT / "docs" / "screenshots" / name
    assert f"docs/screenshots/{name}" in (ROOT / "README.md").read_text()
    assert shot.read_bytes() == SHOTS[name].read_bytes(), f"copy {SHOTS[name]} to {shot}"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci_command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert f"```bash\n{ci_command}\n```" in readme, "last line of .ci/run != README test command"
    assert "-c constraints.txt" in ci_command
