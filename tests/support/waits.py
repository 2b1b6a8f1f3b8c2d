"""A bounded wait on a condition for async tests without a Textual pilot (pilot tests use
tests/tui/harness.py `wait_for`): no guessed sleeps, and a timeout that names what it waited for."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest


async def until(condition: Callable[[], object], what: str, timeout: float = 10.0,
                interval: float = 0.0) -> None:
    """Let the loop run (`interval` seconds between looks; 0: every turn of the loop) until `condition()`
    holds; fail naming `what` after `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(interval)
    except TimeoutError:
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
