"""Defaults shared by the settings and the runner (importable without configuring Django)."""

LOOPBACK_HOSTS = "127.0.0.1,localhost,[::1]"
