"""One user journey through the whole app by keystrokes only, against the live reference server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input

from tests.tui.conftest import real_client, screen_name, until
from tui.app import AppBuilderApp
from tui.widgets.chat_log import ChatLog
from tui.widgets.file_viewer import FileTree, FileViewer


def on(app: AppBuilderApp, name: str) -> bool:
    return screen_name(app) == name


async def test_login_create_chat_build_open_delete_logout(make_server: Any, token_dir: Path) -> None:
    server = make_server(speed=0.02)
    server.register("journey")
    app = AppBuilderApp(real_client(server.url, token_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: on(app, "LoginScreen") and app.focused is not None
                    and app.focused.id == "username", what="login form")
        await pilot.press(*"journey", "tab", *"pass-word-123", "enter")
        await until(pilot, lambda: on(app, "DashboardScreen") and app.screen.state == "empty",
                    what="dashboard")

        await pilot.press("n")
        await until(pilot, lambda: on(app, "CreateProjectScreen"), what="create project")
        await pilot.press(*"A pomodoro timer", "ctrl+s")
        await until(pilot, lambda: on(app, "LiveBuildScreen"), what="live build")
        build = app.screen
        chat = build.query_one(ChatLog)
        await until(pilot, lambda: build.status == "collecting" and build.connection == "live"
                    and build.query_one("#chat-input", Input).has_focus, what="chat open")
        await pilot.press(*"Just me, at my desk", "enter")
        await until(pilot, lambda: sum(e.role == "agent" for e in chat.entries) >= 2, what="agent answer")
        await pilot.press(*"/go", "enter")
        await until(pilot, lambda: build.status == "done" and build.app_ready is not None, timeout=60,
                    what="build done")

        await pilot.press("o")
        await until(pilot, lambda: on(app, "AppDetailScreen") and app.screen.state == "ready", what="app")
        viewer = app.screen.query_one(FileViewer)
        assert viewer.current is not None and viewer.current.content
        first = viewer.current.path
        for _ in range(app.screen.query_one(FileTree).last_line + 1):
            await pilot.press("down")
            await pilot.pause()
            if viewer.current.path != first:
                break
        assert viewer.current.path != first

        await pilot.press("escape")
        await until(pilot, lambda: app.screen is build, what="back to the build")
        await pilot.press("escape")
        await until(pilot, lambda: on(app, "DashboardScreen") and app.screen.state == "ready", what="board")
        await pilot.press("d")
        await until(pilot, lambda: on(app, "ConfirmScreen"), what="confirm delete")
        await pilot.press("y")
        await until(pilot, lambda: on(app, "DashboardScreen") and app.screen.state == "empty", what="deleted")
        assert await app.client.list_jobs() == []

        await pilot.press("p")
        await until(pilot, lambda: on(app, "ProfileScreen") and app.screen.state == "ready", what="profile")
        assert list((token_dir / "profiles").glob("*.json")), "no session was saved at login"
        await pilot.press("l")
        await until(pilot, lambda: on(app, "ConfirmScreen"), what="confirm logout")
        await pilot.press("y")
        await until(pilot, lambda: on(app, "LoginScreen"), what="login after logout")
    await app.client.aclose()
    assert not list((token_dir / "profiles").glob("*.json")), "the session file survived the logout"
