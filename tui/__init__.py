"""appbuilder-tui: terminal dashboard for the AI app-builder service."""
