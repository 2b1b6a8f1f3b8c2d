"""App-level navigation messages: screens post these and `AppBuilderApp` (tui/app.py) routes them.

Screens never import or reach into each other; they post one of these and the app decides what to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class OpenJob(Message):
    """Show the live build screen of a job."""

    job_id: int


@dataclass
class OpenApp(Message):
    """Show the detail screen of an app."""

    app_id: int


class OpenApps(Message):
    """Show the apps list."""


class OpenProfile(Message):
    """Show the profile screen."""


class OpenDashboard(Message):
    """Go back to the dashboard (pop everything above it)."""


class NewProject(Message):
    """Show the create-project screen."""


@dataclass
class AuthLost(Message):
    """The session ended (refresh failed, logout elsewhere): show login on top, keep what is typed below."""

    reason: str


@dataclass
class JobsChanged(Message):
    """Jobs were created, edited or deleted somewhere: lists should reload. `job_id` None means many."""

    job_id: int | None = None
