"""Reference backend for the app-builder API (Django, DRF, SimpleJWT, Channels)."""
