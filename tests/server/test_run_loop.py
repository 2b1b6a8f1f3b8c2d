"""The server's event loop: uvloop where installed (the server extra pins it), asyncio's own otherwise."""

from __future__ import annotations

import asyncio
import sys

import pytest

from server.run import run_loop


def loop_module() -> str:
    found: list[str] = []

    async def record() -> None:
        found.append(type(asyncio.get_running_loop()).__module__)

    run_loop(record())
    return found[0]


@pytest.mark.skipif(sys.platform == "win32", reason="the server extra installs uvloop except on Windows")
def test_the_server_runs_on_uvloop() -> None:
    assert loop_module().startswith("uvloop")


def test_without_uvloop_the_server_runs_on_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # `import uvloop` raises ImportError
    assert loop_module().startswith("asyncio")
