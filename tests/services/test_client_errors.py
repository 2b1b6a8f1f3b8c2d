"""Every failure becomes a typed ServiceError with a one-line human message (MockTransport)."""

from __future__ import annotations

import httpx
import pytest

from tests.services.conftest import URL, FakeApi
from tests.support.live_server import free_port
from tui.services import (
    Conflict,
    Forbidden,
    NotFound,
    ServerError,
    ServerUnavailable,
    ValidationFailed,
)
from tui.services.client import ApiClient
from tui.services.http import transport_error
from tui.services.tokens import TokenStore


def answer(api: FakeApi, method: str, path: str, response: httpx.Response) -> None:
    api.routes[(method, path)] = lambda request: response


async def test_500_is_server_error(api: FakeApi, logged_in: ApiClient) -> None:
    answer(api, "GET", "jobs/7/", httpx.Response(500, json={"detail": "boom"}))
    with pytest.raises(ServerError) as caught:
        await logged_in.get_job(7)
    assert caught.value.status == 500
    assert caught.value.message == "The server had an internal error (HTTP 500): boom"


async def test_502_html_page(api: FakeApi, logged_in: ApiClient) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1>\n<hr>nginx</body></html>"
    answer(api, "GET", "jobs/", httpx.Response(502, text=page, headers={"content-type": "text/html"}))
    with pytest.raises(ServerError) as caught:
        await logged_in.list_jobs()
    assert caught.value.message == "The server answered 502 with an HTML page instead of JSON."
    assert caught.value.status == 502


@pytest.mark.parametrize("body", [b"{not json", b'{"id": 7, "title": "to', b"", b"nul\x00l"])
async def test_malformed_truncated_or_empty_json(api: FakeApi, logged_in: ApiClient, body: bytes) -> None:
    answer(api, "GET", "jobs/7/", httpx.Response(200, content=body,
                                                 headers={"content-type": "application/json"}))
    with pytest.raises(ServerError) as caught:
        await logged_in.get_job(7)
    assert caught.value.message.startswith("The server answered 200 with ")
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("body", [
    b'{"id": 7, "title": "t", "initial_prompt": "p", "status": "done", "score": NaN,'
    b' "created_at": "2026-11-24T21:00:00Z", "updated_at": "2026-11-24T21:00:00Z"}',  # NaN: not JSON
    b'{"id": 7, "title": "\\ud800", "initial_prompt": "p", "status": "done", "size": 18446744073709551616,'
    b' "created_at": "2026-11-24T21:00:00Z", "updated_at": "2026-11-24T21:00:00Z"}',  # lone surrogate, 2**64
    '{"id": 7, "initial_prompt": "p", "status": "done", "created_at": "2026-11-24T21:00:00Z",'
    ' "updated_at": "2026-11-24T21:00:00Z"}'.encode("utf-16"),
])
async def test_bodies_the_fast_decoder_refuses_read_as_before(api: FakeApi, logged_in: ApiClient,
                                                               body: bytes) -> None:
    """orjson refuses what Python's json module reads (NaN, big numbers, lone surrogates, UTF-16): those
    bodies are read exactly as before."""
    answer(api, "GET", "jobs/7/", httpx.Response(200, content=body,
                                                 headers={"content-type": "application/json"}))
    assert (await logged_in.get_job(7)).id == 7


async def test_deep_nesting_is_a_server_error_in_words(api: FakeApi, logged_in: ApiClient) -> None:
    answer(api, "GET", "jobs/7/", httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000))
    with pytest.raises(ServerError, match="nested too deeply"):
        await logged_in.get_job(7)


@pytest.mark.parametrize("body", [{"id": "x"}, [1, 2], {"results": []}, "ok"])
async def test_wrong_shape_is_server_error(api: FakeApi, logged_in: ApiClient, body: object) -> None:
    answer(api, "GET", "jobs/7/", httpx.Response(200, json=body))
    with pytest.raises(ServerError, match="did not have the expected shape"):
        await logged_in.get_job(7)


async def test_purge_wrong_shape(api: FakeApi, logged_in: ApiClient) -> None:
    answer(api, "DELETE", "jobs/purge/", httpx.Response(200, json={"removed": 3}))
    with pytest.raises(ServerError, match="expected shape"):
        await logged_in.purge_jobs()


async def test_timeout_is_unavailable(store: TokenStore) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    client = ApiClient(URL, token_store=store, transport=httpx.MockTransport(slow))
    with pytest.raises(ServerUnavailable) as caught:
        await client.server_info()
    await client.aclose()
    assert "timed out after 10s" in caught.value.message
    assert caught.value.message.startswith(URL)


async def test_connection_refused_on_a_closed_port(store: TokenStore) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = ApiClient(url, token_store=store)
    with pytest.raises(ServerUnavailable) as caught:
        await client.login("ada", "pw")
    await client.aclose()
    assert caught.value.message == f"Cannot reach {url} (connection refused)."


async def test_cut_connection_is_unavailable(store: TokenStore) -> None:
    def cut(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)

    client = ApiClient(URL, token_store=store, transport=httpx.MockTransport(cut))
    with pytest.raises(ServerUnavailable, match="cut before the server answered"):
        await client.server_info()
    await client.aclose()


async def test_400_keeps_field_messages(api: FakeApi, logged_in: ApiClient) -> None:
    body = {"initial_prompt": ["This field may not be blank."], "color": ["Unknown field."]}
    answer(api, "POST", "jobs/", httpx.Response(400, json=body))
    with pytest.raises(ValidationFailed) as caught:
        await logged_in.create_job(" ")
    assert caught.value.fields == body
    assert caught.value.message == "initial_prompt: This field may not be blank.; color: Unknown field."


async def test_400_detail_only(api: FakeApi, logged_in: ApiClient) -> None:
    answer(api, "GET", "job-messages/", httpx.Response(400, json={"detail": "job_id is required."}))
    with pytest.raises(ValidationFailed) as caught:
        await logged_in.list_messages(7)
    assert caught.value.message == "job_id is required."


@pytest.mark.parametrize(("status", "error", "message"), [
    (403, Forbidden, "Job purge is disabled on this server (ALLOW_JOB_PURGE is off)."),
    (404, NotFound, "Not found: it may have been deleted."),
    (409, Conflict, "The prompt can only be edited while the job is collecting requirements."),
])
async def test_4xx_map_to_typed_errors(api: FakeApi, logged_in: ApiClient, status: int, error: type,
                                       message: str) -> None:
    detail = "Not found." if status == 404 else message
    answer(api, "DELETE", "jobs/purge/", httpx.Response(status, json={"detail": detail}))
    with pytest.raises(error) as caught:
        await logged_in.purge_jobs()
    assert caught.value.message == message


@pytest.mark.parametrize(("response", "why"), [
    (httpx.Response(404, text="<html>nope</html>", headers={"content-type": "text/html"}), "HTTP 404"),
    (httpx.Response(200, text="<!doctype html><title>Welcome</title>"), "HTML page"),
    (httpx.Response(200, json={"status": "ok"}), "not appbuilder's"),
    (httpx.Response(200, text="hello"), "malformed"),
    (httpx.Response(302, headers={"location": "/login"}), "HTTP 302"),
])
async def test_wrong_url_says_not_an_appbuilder_server(store: TokenStore, response: httpx.Response,
                                                       why: str) -> None:
    client = ApiClient("http://x.test/", token_store=store, transport=httpx.MockTransport(lambda r: response))
    with pytest.raises(ServerError) as caught:
        await client.server_info()
    await client.aclose()
    assert caught.value.message.startswith("http://x.test is not an appbuilder server (")
    assert why in caught.value.message


async def test_server_info_parses(store: TokenStore) -> None:
    meta = {"name": "appbuilder-reference", "version": "0.1.0", "allow_job_purge": True,
            "ws_dialect": "legacy", "max_prompt_length": 20000, "access_token_lifetime": 300}
    client = ApiClient("127.0.0.1:8000", token_store=store,
                       transport=httpx.MockTransport(lambda r: httpx.Response(200, json=meta)))
    info = await client.server_info()
    await client.aclose()
    assert client.server_url == "http://127.0.0.1:8000"
    assert (info.allow_job_purge, info.ws_dialect, info.access_token_lifetime) == (True, "legacy", 300)


async def test_invalid_url(store: TokenStore) -> None:
    client = ApiClient("ftp://files.test", token_store=store)
    with pytest.raises(ServerUnavailable, match="not a valid server address"):
        await client.server_info()
    await client.aclose()


@pytest.mark.parametrize("header, seconds", [("17", 17), ("0.2", 1), ("Wed, 25 Nov 2026 21:00:30 GMT", 30),
                                             (None, None), ("soon", None)])
def test_429_says_when_to_try_again(header: str | None, seconds: int | None) -> None:
    from datetime import UTC, datetime

    from tui.services.errors import TooManyAttempts
    from tui.services.http import error_for, retry_after

    response = httpx.Response(429, json={"detail": "Request was throttled."},
                              headers={"Retry-After": header} if header else {})
    assert retry_after(response, now=datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)) == seconds
    err = error_for(response)
    assert isinstance(err, TooManyAttempts)
    if header == "17":
        assert err.message == "Too many attempts, try again in 17 s."
    if header is None:
        assert err.message == "Too many attempts, try again later."


@pytest.mark.parametrize(("error", "reason", "detail"), [
    (httpx.ConnectError("[Errno 111] Connection refused"), "refused", "connection refused"),
    (httpx.ConnectError("[Errno -2] Name or service not known"), "dns", "host not found"),
    (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "tls",
     "TLS handshake failed"),
    (httpx.ConnectTimeout("timed out"), "timeout", "timed out after 2.5s (connecting)"),
    (httpx.ReadTimeout("timed out"), "timeout", "timed out after 2.5s (waiting for an answer)"),
    (httpx.RemoteProtocolError("Server disconnected"), "http", None),
    (httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'"), "invalid",
     "expected http://host:port"),
])
def test_unreachable_says_why_for_code_and_in_words(error: httpx.HTTPError, reason: str,
                                                    detail: str | None) -> None:
    """`reason` and `detail` are what the connection indicator and the login form use: no wording parsed."""
    err = transport_error(error, URL, 2.5)
    assert isinstance(err, ServerUnavailable)
    assert err.reason == reason and err.detail == detail
    assert URL in err.message and (detail is None or detail in err.message)


@pytest.mark.parametrize("body", [{"id": "1", "username": "ada"}, ["ada"], {"username": "ada"}])
async def test_a_malformed_record_is_server_error(api: FakeApi, logged_in: ApiClient, body: object) -> None:
    answer(api, "GET", "auth/me/", httpx.Response(200, json=body))
    with pytest.raises(ServerError, match="did not have the expected shape"):
        await logged_in.me()
