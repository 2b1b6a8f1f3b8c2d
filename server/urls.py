"""REST routes under /api/ (docs/api.md); any other path is a JSON 404."""

from django.conf import settings
from django.urls import include, path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

VERSION = "0.1.0"


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def meta(request: Request) -> Response:
    return Response(
        {
            "name": "appbuilder-reference",
            "version": VERSION,
            "allow_job_purge": settings.ALLOW_JOB_PURGE,
            "ws_dialect": settings.WS_DIALECT,
            "max_prompt_length": settings.MAX_PROMPT_LENGTH,
            "access_token_lifetime": int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()),
        }
    )


urlpatterns = [
    path("api/meta/", meta, name="meta"),
    path("api/auth/", include("server.authentication.urls")),
    path("api/", include("server.jobs.urls")),
]

handler400 = "server.errors.bad_request"
handler403 = "server.errors.forbidden"
handler404 = "server.errors.not_found"
handler500 = "server.errors.server_error"
