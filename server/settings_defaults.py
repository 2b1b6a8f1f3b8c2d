"""Defaults shared by the settings and the runner (importable without configuring Django)."""

import re

LOOPBACK_HOSTS = "127.0.0.1,localhost,[::1]"
RATE = re.compile(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)")
