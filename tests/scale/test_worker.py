"""`python -m server worker` runs jobs without HTTP: it finishes a build a stopped server left unfinished."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]


def job_row(db: Path, job_id: int) -> tuple[str, int]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT status, pipeline_step FROM jobs_job WHERE id = ?", (job_id,)).fetchone()


def wait_until(predicate: object, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(0.05)


def test_worker_finishes_a_build_the_stopped_server_left(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    server = LiveServer(db_path=db, speed=0.3).start()
    try:
        token = server.register("worker-user")["access"]
        api = httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"})
        job_id = api.post("/jobs/", json={"initial_prompt": "A worker's build"}).json()["id"]
        assert api.post(f"/jobs/{job_id}/start/").status_code == 202
        wait_until(lambda: job_row(db, job_id)[0] == "building", "the build to reach building")
    finally:
        server.stop()  # SIGTERM: its lease is handed back
    left_at = job_row(db, job_id)
    assert left_at[0] == "building"

    worker = subprocess.Popen([sys.executable, "-m", "server", "worker", "--db", str(db), "--speed", "0.01"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert worker.stdout is not None
        assert "appbuilder job runner" in worker.stdout.readline()
        wait_until(lambda: job_row(db, job_id)[0] == "done", "the worker to finish the build")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(15) == 0
    with sqlite3.connect(db) as conn:
        steps = [json.loads(d) for (d,) in conn.execute(
            "SELECT data FROM jobs_jobmessage WHERE job_id = ? AND kind = 'step' ORDER BY id", (job_id,))]
        apps = conn.execute("SELECT COUNT(*) FROM jobs_jobmessage WHERE job_id = ? AND kind = 'app'",
                            (job_id,)).fetchone()[0]
    pairs = [(s["stage"], s["progress"]) for s in steps]
    assert len(pairs) == 20 and len(set(pairs)) == 20 and apps == 1, "a step repeated or lost"
