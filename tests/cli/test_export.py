"""Path safety of `tui.services.export` (the app's file paths come from the server: untrusted)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.services.export import ExportError, UnsafePath, WouldOverwrite, export_files, safe_relative
from tui.services.models import AppFile


def files(*paths: str) -> list[AppFile]:
    return [AppFile(path=path, content=f"content of {path}") for path in paths]


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink())


@pytest.mark.parametrize("path", ["../evil.py", "a/../../evil.py", "a/b/../../../evil", "/etc/passwd",
                                  "//server/share", "~/evil", "a\\..\\..\\evil", "nul\x00byte", "", ".",
                                  "dir/", "./"])
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(UnsafePath):
        safe_relative(path)


@pytest.mark.parametrize(("path", "clean"), [("a/b.py", "a/b.py"), ("./a/./b.py", "a/b.py"),
                                             ("a..b/c...py", "a..b/c...py")])
def test_safe_paths_are_kept(path: str, clean: str) -> None:
    assert str(safe_relative(path)) == clean


def test_writes_nested_files_and_creates_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "new" / "app"
    written = export_files(files("README.md", "app/main.py", "app/sub/x.py"), target)
    assert [str(p) for p in written] == ["README.md", "app/main.py", "app/sub/x.py"]
    assert (target / "app/sub/x.py").read_text() == "content of app/sub/x.py"


def test_one_bad_path_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UnsafePath, match=r"\.\."):
        export_files(files("ok.py", "../escape.py"), tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "escape.py").exists()


def test_existing_files_need_force_and_nothing_is_written_without_it(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("mine")
    with pytest.raises(WouldOverwrite, match="--force"):
        export_files(files("a.py", "b.py"), tmp_path)
    assert tree(tmp_path) == ["b.py"] and (tmp_path / "b.py").read_text() == "mine"
    export_files(files("a.py", "b.py"), tmp_path, force=True)
    assert (tmp_path / "b.py").read_text() == "content of b.py"


def test_symlinked_directory_inside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "app").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UnsafePath, match="symbolic link"):
        export_files(files("app/main.py"), root, force=True)
    assert list(outside.iterdir()) == []


def test_symlinked_file_is_refused_even_with_force(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.py").symlink_to(victim)
    with pytest.raises(UnsafePath, match="symbolic link"):
        export_files(files("main.py"), root, force=True)
    assert victim.read_text() == "precious"


def test_a_link_planted_after_the_check_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """O_NOFOLLOW: a link that appears between the checks and the write makes the write fail."""
    import tui.services.export as export

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    root = tmp_path / "root"
    root.mkdir()
    real_plan = export.plan

    def plan_then_plant(items: list[AppFile], directory: Path) -> list[export.Planned]:
        planned = real_plan(items, directory)
        os.symlink(victim, root / "main.py")
        return planned

    monkeypatch.setattr(export, "plan", plan_then_plant)
    with pytest.raises(ExportError):
        export_files(files("main.py"), root, force=True)
    assert victim.read_text() == "precious"


def test_duplicate_paths_and_file_in_the_way_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafePath, match="twice"):
        export_files(files("a.py", "./a.py"), tmp_path)
    (tmp_path / "app").write_text("a file, not a dir")
    with pytest.raises(UnsafePath, match="not a directory"):
        export_files(files("app/main.py"), tmp_path, force=True)


def test_target_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="not a directory"):
        export_files(files("a.py"), tmp_path / "file")
