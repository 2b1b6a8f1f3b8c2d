"""JSON error bodies everywhere: DRF exceptions keep their shape; Django 404/500 become `{"detail": ...}`."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError
from django.http import HttpRequest, JsonResponse
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(APIException):
    """409: the request is valid but the object's state does not allow it now (say which state it is in)."""

    status_code = 409
    default_detail = "The request conflicts with the current state of the object."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OperationalError):  # locked or read-only database: transient, say so
        return Response({"detail": "The database is busy; try again in a moment."}, status=503,
                        headers={"Retry-After": "1"})
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 401 and isinstance(response.data, dict):
        response.data.setdefault("code", "not_authenticated")
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's own 400s (bad Host header, body too large...) in JSON, not its HTML page."""
    return JsonResponse({"detail": "Bad request."}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Forbidden."}, status=403)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)
