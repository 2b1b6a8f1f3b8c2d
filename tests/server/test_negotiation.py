"""Remembered content negotiation (server/negotiation.py) answers as DRF's own, header by header."""

from __future__ import annotations

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from server.negotiation import RememberedNegotiation

ACCEPTS = [None, "*/*", "application/json", "application/json; indent=2", "text/html",
           "text/html;q=0.9, application/json", "application/*", "image/png, */*;q=0.1"]


def request(accept: str | None, query: str = "") -> Request:
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get(f"/api/jobs/{query}", **headers))


def answer(negotiation: DefaultContentNegotiation, req: Request, classes: list[type]) -> object:
    renderers = [cls() for cls in classes]
    try:
        renderer, media_type = negotiation.select_renderer(req, renderers)
    except NotAcceptable:
        return "406"
    except Http404:  # a `format` no renderer has
        return "404"
    return (type(renderer), media_type, renderers.index(renderer))


@pytest.fixture(autouse=True)
def forget() -> None:
    RememberedNegotiation._known.clear()


@pytest.mark.parametrize("classes", [[JSONRenderer], [JSONRenderer, BrowsableAPIRenderer],
                                     [BrowsableAPIRenderer, JSONRenderer]])
@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?format=xml"])
def test_same_answer_as_drf_first_and_remembered(classes: list[type], accept: str | None, query: str) -> None:
    expected = answer(DefaultContentNegotiation(), request(accept, query), classes)
    for _ in range(2):  # the second answer is the remembered one
        assert answer(RememberedNegotiation(), request(accept, query), classes) == expected


def test_refused_and_long_headers_are_not_remembered() -> None:
    assert answer(RememberedNegotiation(), request("text/html"), [JSONRenderer]) == "406"
    long = "application/json, " + "x/y;q=0.1, " * 100
    assert answer(RememberedNegotiation(), request(long), [JSONRenderer])[0] is JSONRenderer  # type: ignore[index]
    assert RememberedNegotiation._known == {}


@pytest.mark.django_db
def test_the_api_answers_406_in_json_every_time(api: APIClient) -> None:
    for _ in range(2):
        r = api.get("/api/jobs/", HTTP_ACCEPT="text/html")
        assert r.status_code == 406 and r["Content-Type"].startswith("application/json")
