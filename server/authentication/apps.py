from django.apps import AppConfig


class AuthenticationConfig(AppConfig):
    name = "server.authentication"
    label = "appbuilder_auth"

    def ready(self) -> None:
        from . import jwt_auth, usernames  # noqa: F401 - the SQLite casefold function, the user cache signals
