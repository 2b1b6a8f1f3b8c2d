"""Hostile clients against the auth endpoints over real HTTP: single-use refresh rotation under a parallel
burst, throttling with the production rates, password rules, look-alike and fullwidth usernames."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest

from tests.support.live_server import LiveServer

PARALLEL, TRIALS = 20, 10


def post(server: LiveServer, path: str, body: dict) -> httpx.Response:
    return httpx.post(f"{server.url}/api/auth/{path}", json=body, timeout=30)


def parallel_refreshes(server: LiveServer, refresh: str) -> list[int]:
    """PARALLEL clients, each on its own connection, send the same refresh token at the same moment."""
    barrier = threading.Barrier(PARALLEL)
    codes: list[int] = []
    clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(PARALLEL)]
    for client in clients:  # connections open before the burst
        client.get("/api/meta/")

    def one(client: httpx.Client) -> None:
        barrier.wait()
        codes.append(client.post("/api/auth/token/refresh/", json={"refresh": refresh}).status_code)

    threads = [threading.Thread(target=one, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return codes


def test_exactly_one_of_parallel_refreshes_succeeds_every_time(
        make_server: Callable[..., LiveServer]) -> None:
    server = make_server()
    server.register("racer")
    for trial in range(TRIALS):
        refresh = post(server, "login/", {"username": "racer", "password": "pass-word-123"}).json()["refresh"]
        codes = parallel_refreshes(server, refresh)
        assert sorted(codes) == [200] + [401] * (PARALLEL - 1), f"trial {trial}: {sorted(codes)}"


def test_login_throttled_with_production_rate(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(auth_rate=None, refresh_rate=None)  # production defaults: 10/min
    answers = [post(server, "login/", {"username": "nobody", "password": f"guess-{n}"}) for n in range(11)]
    assert [a.status_code for a in answers[:10]] == [401] * 10
    last = answers[10]
    assert last.status_code == 429 and last.headers["content-type"] == "application/json"
    assert 1 <= int(last.headers["Retry-After"]) <= 60
    assert "throttled" in last.json()["detail"]
    assert post(server, "register/", {"username": "x", "password": "pass-word-123"}).status_code in (201, 429)


@pytest.mark.parametrize("password", ["password", "12345678", "weakling1", "weakling"])
def test_weak_passwords_refused(live_server: LiveServer, password: str) -> None:
    answer = post(live_server, "register/", {"username": "weakling1", "password": password})
    assert answer.status_code == 400 and "password" in answer.json(), answer.text


def test_fullwidth_username_is_the_same_name(live_server: LiveServer) -> None:
    made = post(live_server, "register/", {"username": "ｗｉｄｅ１", "password": "pass-word-123"})
    assert made.status_code == 201 and made.json()["user"]["username"] == "wide1"
    again = post(live_server, "register/", {"username": "ｗｉｄｅ１", "password": "pass-word-123"})
    assert again.status_code == 400 and "already exists" in again.json()["username"][0]
    login = post(live_server, "login/", {"username": "ｗｉｄｅ１", "password": "pass-word-123"})
    assert login.status_code == 200


@pytest.mark.parametrize("name, why", [("LOOKALIKE", "already exists"), ("LookAlike", "already exists"),
                                       ("lookаlike", "mix scripts"), ("lооkalike", "mix scripts")])
def test_case_and_script_lookalikes_refused(live_server: LiveServer, name: str, why: str) -> None:
    post(live_server, "register/", {"username": "lookalike", "password": "pass-word-123"})
    answer = post(live_server, "register/", {"username": name, "password": "pass-word-123"})
    assert answer.status_code == 400 and why in answer.json()["username"][0], answer.text


def test_single_script_names_in_other_scripts_are_fine(live_server: LiveServer) -> None:
    for name in ("дмитрий", "たなか太郎", "Ärger", "user_1.2+3@x-y"):
        answer = post(live_server, "register/", {"username": name, "password": "pass-word-123"})
        assert answer.status_code == 201, (name, answer.text)
    upper = post(live_server, "register/", {"username": "ÄRGER", "password": "pass-word-123"})
    assert upper.status_code == 400  # casefolded beyond ASCII
