"""Several terminals, one account: real OS processes sharing one token directory.

Run as a script, this file is the worker the tests start (`python test_client_processes.py MODE ...`).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tui.services import AuthRequired  # noqa: E402
from tui.services.client import ApiClient  # noqa: E402
from tui.services.tokens import StoredTokens, TokenStore  # noqa: E402

REFRESH_PATH = "/api/auth/token/refresh/"
PASSWORD = "pass-word-123"


class RefreshLog(httpx.AsyncBaseTransport):
    """Real transport; appends `<pid> <time> <status>` to a shared file for each refresh THIS process sent."""

    def __init__(self, path: Path) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.path = path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = time.time()
        response = await self.inner.handle_async_request(request)
        if request.url.path == REFRESH_PATH:
            with open(self.path, "a") as log:  # O_APPEND: one short line per write, never interleaved
                log.write(f"{os.getpid()} {sent:.6f} {response.status_code}\n")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# ----- workers ---------------------------------------------------------------------------------------
async def hammer(url: str, token_dir: str, refresh_log: str, seconds: float, login: str) -> int:
    """Log in (or restore), then make requests for `seconds`; print a JSON summary."""
    client = ApiClient(url, token_store=TokenStore(token_dir), transport=RefreshLog(Path(refresh_log)))
    lost: list[str] = []
    client.on_auth_lost = lost.append
    user = await client.login(login, PASSWORD) if login != "-" else await client.restore_session()
    if user is None:
        print(json.dumps({"error": "no session to restore"}), flush=True)
        return 1
    print("ready", flush=True)
    job = await client.create_job(f"job of {os.getpid()}")
    count, start = 0, time.time()
    try:
        while time.time() - start < seconds:
            await (client.get_job(job.id) if count % 2 else client.list_jobs())
            count += 1
            await asyncio.sleep(0.01)
    except AuthRequired as err:
        print(json.dumps({"error": err.message, "lost": lost, "requests": count}), flush=True)
        return 1
    finally:
        await client.aclose()
    print(json.dumps({"requests": count, "lost": lost, "start": start, "end": time.time()}), flush=True)
    return 0


async def wait_then_request(url: str, token_dir: str) -> int:
    """Restore, say ready, wait for a line on stdin, make one request; print what happened."""
    client = ApiClient(url, token_store=TokenStore(token_dir))
    lost: list[str] = []
    client.on_auth_lost = lost.append
    assert await client.restore_session() is not None
    await client.list_jobs()
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    try:
        await client.list_jobs()
        result = {"error": None}
    except AuthRequired as err:
        result = {"error": err.message, "type": type(err).__name__}
    await client.aclose()
    print(json.dumps({**result, "lost": lost}), flush=True)
    return 0


def write_many(token_dir: str, seconds: float) -> int:
    store, i = TokenStore(token_dir), 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        store.save(StoredTokens("http://x.test", "ada", "a" * (i % 700 + 1), f"r{i}" * (i % 50 + 1)))
        i += 1
    print(json.dumps({"writes": i}), flush=True)
    return 0


def read_many(token_dir: str, seconds: float) -> int:
    store = TokenStore(token_dir)
    path, reads, bad = store.profile_path("http://x.test"), 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for entry in os.scandir(path.parent):  # also the temp files, caught mid-write
            try:
                mode = stat.S_IMODE(entry.stat().st_mode)
            except FileNotFoundError:
                continue
            if mode != 0o600:
                bad.append(f"{entry.name} mode {oct(mode)}")
        try:
            text = path.read_text()
        except FileNotFoundError:
            continue
        try:
            json.loads(text)
            reads += 1
        except ValueError:
            bad.append(f"partial JSON ({len(text)} chars)")
    print(json.dumps({"reads": reads, "bad": bad[:10], "bad_count": len(bad)}), flush=True)
    return 0


# ----- tests -----------------------------------------------------------------------------------------
def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> dict:
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert proc.returncode == 0 and lines, f"worker failed ({proc.returncode}): {out}\n{err}"
    return json.loads(lines[-1])


def test_five_processes_one_account_refresh_once_per_expiry(make_server: Callable, tmp_path: Path) -> None:
    server = make_server(access_lifetime=1)
    name = f"multi{os.getpid()}"
    server.register(name, PASSWORD)
    tokens, log = tmp_path / "tokens", tmp_path / "refreshes.log"
    log.touch()
    first = spawn("hammer", server.url, str(tokens), str(log), "10", name)
    assert first.stdout is not None and first.stdout.readline().strip() == "ready"
    others = [spawn("hammer", server.url, str(tokens), str(log), "10", "-") for _ in range(4)]
    results = [finish(proc) for proc in [first, *others]]
    for result in results:
        assert "error" not in result and result["lost"] == [], result
        assert result["requests"] >= 10  # it kept working (no throughput goal: shared machine)
    lines = [line.split() for line in log.read_text().splitlines()]
    assert all(status == "200" for _, _, status in lines), lines
    start = min(r["start"] for r in results)
    end = max(r["end"] for r in results)
    windows = math.floor(end) - math.floor(start) + 1  # access tokens expire on whole seconds
    per_window = Counter(math.floor(float(sent)) for _, sent, _ in lines)
    pids = {pid for pid, _, _ in lines}
    print(f"refreshes={len(lines)} windows={windows} requests={sum(r['requests'] for r in results)} "
          f"refreshing processes={len(pids)}")
    assert len(lines) <= windows + 1
    assert max(per_window.values()) == 1, per_window
    assert len(lines) >= windows - 3  # they did really cross many expiries


def test_atomic_writes_never_partial_nor_readable(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    TokenStore(tokens).save(StoredTokens("http://x.test", "ada", "a", "r"))
    reader = spawn("read", str(tokens), "3")
    writer = spawn("write", str(tokens), "3")
    assert finish(writer)["writes"] > 20
    result = finish(reader)
    assert result["bad_count"] == 0, result["bad"]
    assert result["reads"] > 20  # enough reads interleaved with the writes to have caught a partial file
    assert stat.S_IMODE(os.stat(tokens / "profiles").st_mode) == 0o700


async def test_logout_in_one_process_ends_the_other(live_server, fresh_user: dict, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    client = ApiClient(live_server.url, token_store=TokenStore(tokens))
    await client.login(fresh_user["username"], fresh_user["password"])
    other = spawn("wait", live_server.url, str(tokens))
    assert other.stdout is not None and other.stdin is not None
    assert (await asyncio.to_thread(other.stdout.readline)).strip() == "ready"
    await client.logout()
    await client.aclose()
    other.stdin.write("go\n")
    other.stdin.flush()
    result = await asyncio.to_thread(finish, other)
    assert result["type"] == "AuthRequired"
    assert result["error"] == "You were logged out (in another terminal or session)."
    assert result["lost"] == [result["error"]]


def main(argv: list[str]) -> int:
    mode, args = argv[0], argv[1:]
    if mode == "hammer":
        return asyncio.run(hammer(args[0], args[1], args[2], float(args[3]), args[4]))
    if mode == "wait":
        return asyncio.run(wait_then_request(args[0], args[1]))
    if mode == "write":
        return write_many(args[0], float(args[1]))
    if mode == "read":
        return read_many(args[0], float(args[1]))
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
