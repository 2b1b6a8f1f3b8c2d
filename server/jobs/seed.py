"""Demo data: `demo`/`demo-password` with jobs in several states, and `admin`/`admin-password`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from . import pipeline
from .models import Job

DEMO_USER = ("demo", "demo-password")
ADMIN_USER = ("admin", "admin-password")

DONE_PROMPT = "A recipe manager where I can save recipes, tag them and plan meals for the week."
COLLECTING_PROMPT = (
    "A habit tracker for my team.\nEach person logs daily habits and sees a weekly streak chart."
)
FAILED_PROMPT = "An inventory system for a small bike shop with barcode scanning."
BUILDING_PROMPT = "A booking page for a yoga studio: classes, instructors and waitlists."


def _job(owner: object, prompt: str, chats: list[str]) -> Job:
    job = pipeline.create_job_sync(owner, prompt)
    for text in chats:
        pipeline.user_chat_sync(job, text)
    return job


def seed_demo() -> bool:
    """Create the demo data once; returns False when it already exists."""
    users = get_user_model().objects
    if users.filter(username=DEMO_USER[0]).exists():
        return False
    with transaction.atomic():
        demo = users.create_user(username=DEMO_USER[0], password=DEMO_USER[1], email="demo@example.com")
        if not users.filter(username=ADMIN_USER[0]).exists():
            users.create_user(
                username=ADMIN_USER[0],
                password=ADMIN_USER[1],
                email="admin@example.com",
                is_staff=True,
                is_superuser=True,
            )
    done = _job(
        demo,
        DONE_PROMPT,
        ["Home cooks; they must find a recipe fast.", "Ingredients, steps, tags.", "Works on phones."],
    )
    pipeline.run_to_end_sync(done.pk)

    _job(demo, COLLECTING_PROMPT, ["Team leads and members; log a habit in one tap."])

    failed = _job(demo, FAILED_PROMPT, ["/go"])
    for _ in range(3 + 4 + 2):  # up to two architecture steps, then it breaks
        pipeline.run_step_sync(failed.pk, notify=False)
    pipeline.fail_job_sync(failed.pk, "The build failed: the barcode scanner SDK is not available offline.")

    building = _job(
        demo, BUILDING_PROMPT, ["Studio members booking classes.", "Class times, capacity.", "/go"]
    )
    for _ in range(6):
        pipeline.run_step_sync(building.pk, notify=False)
    return True
