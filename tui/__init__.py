"""appbuilder-tui: terminal dashboard for the AI app-builder service."""

__version__ = "0.2.0"
