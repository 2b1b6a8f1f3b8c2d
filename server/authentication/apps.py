from django.apps import AppConfig


class AuthenticationConfig(AppConfig):
    name = "server.authentication"
    label = "appbuilder_auth"

    def ready(self) -> None:
        from . import usernames  # noqa: F401 - registers the SQLite casefold function
