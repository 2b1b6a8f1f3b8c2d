"""Faults that used to lose a build: another process holding the SQLite write lock mid-build only delays it
(retried with backoff), and a failed build can be retried (REST endpoint, ApiClient, the `R` key)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support.live_server import LiveServer
from tests.tui.conftest import logged_in_client, until
from tui.app import AppBuilderApp
from tui.messages import OpenJob
from tui.screens.dashboard import DashboardScreen
from tui.screens.live_build import LiveBuildScreen
from tui.services.errors import Conflict


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_write_lock_held_mid_build_delays_but_does_not_fail(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(speed=0.05, extra_env={"DB_TIMEOUT": "0.3"})  # busy after 0.3 s, not 30 s
    access = server.register("locked")["access"]
    api = httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {access}"})
    job_id = api.post("/jobs/", json={"initial_prompt": "A tide table"}).json()["id"]
    assert api.post(f"/jobs/{job_id}/start/").status_code == 202
    wait_until(lambda: api.get(f"/jobs/{job_id}/").json()["status"] == "building", "the build to start")
    other = sqlite3.connect(server.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process takes the write lock and keeps it
    try:
        wait_until(lambda: server.log().count("database unavailable") >= 3, "the pipeline to retry 3 times")
        assert api.get(f"/jobs/{job_id}/").json()["status"] == "building"
        busy = api.post("/jobs/", json={"initial_prompt": "Written while locked"})  # a write over REST
        assert busy.status_code == 503 and "busy" in busy.json()["detail"] and busy.headers["Retry-After"]
    finally:
        other.execute("ROLLBACK")
        other.close()
    wait_until(lambda: api.get(f"/jobs/{job_id}/").json()["status"] in ("done", "failed"), "the build to end")
    assert api.get(f"/jobs/{job_id}/").json()["status"] == "done"
    kinds = [m["kind"] for m in api.get("/job-messages/", params={"job_id": job_id}).json()]
    assert "error" not in kinds and kinds[-1] == "app"


async def test_failed_build_retried_from_the_live_build_screen(make_server: Callable[..., LiveServer],
                                                               tmp_path: Path) -> None:
    server = make_server(speed=0.02, seed_demo=True)
    client = await logged_in_client(server.url, tmp_path / "tokens", "demo", "demo-password")
    failed = next(job for job in await client.list_jobs() if job.status == "failed")
    done = next(job for job in await client.list_jobs() if job.status == "done")
    try:
        await client.retry_job(done.id)
    except Conflict as err:
        assert err.message == "Only a failed build can be retried (status is 'done')."
    else:
        raise AssertionError("retrying a finished build was accepted")
    app = AppBuilderApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.state == "ready",
                    what="dashboard")
        app.post_message(OpenJob(failed.id))
        await until(pilot, lambda: isinstance(app.screen, LiveBuildScreen) and app.screen.status == "failed"
                    and app.screen.connection == "live", what="live build of the failed job")
        await pilot.press("R")
        await until(pilot, lambda: app.screen.status == "done", what="the retried build to finish",
                    timeout=60)
    assert (await client.get_job(failed.id)).app_id is not None
    await app.client.aclose()
