from django.apps import AppConfig


class AuthenticationConfig(AppConfig):
    name = "server.authentication"
    label = "appbuilder_auth"
