"""DRF throttles for the unauthenticated auth endpoints, per client address (429 with Retry-After)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class AuthThrottle(SimpleRateThrottle):
    """Rates come from settings.AUTH_THROTTLE_RATES at each request (so tests and flags can change them)."""

    def get_rate(self) -> str | None:
        return settings.AUTH_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str:  # type: ignore[no-untyped-def]
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(AuthThrottle):
    scope = "login"


class RegisterThrottle(AuthThrottle):
    scope = "register"


class RefreshThrottle(AuthThrottle):
    scope = "refresh"
