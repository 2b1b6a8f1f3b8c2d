"""Each user's job count for unfiltered offset pages, kept for `JOB_COUNT_CACHE_SECONDS` instead of a COUNT(*)
over the user's index entries on every request.

A job created in this process (model signal) or deleted by the API's views (`forget_owner`: no delete signal,
which would stop Django's fast cascade deletes) forgets its owner's count at once, and again when the
transaction commits, so a count read before the commit is never kept. A create or delete made by
another process (several workers, Postgres) shows in `count` within `JOB_COUNT_CACHE_SECONDS`; the page's rows
are always read fresh. `0` counts on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

from .models import Job

CountKey = tuple[Any, ...]


class JobCounts:
    """Thread-safe {user key: (count, expires)}; a generation per owner rejects counts read before a write."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[CountKey, tuple[int, float]] = {}
        self._generations: dict[Any, int] = {}

    def get(self, key: CountKey, count: Callable[[], int]) -> int:
        max_age = settings.JOB_COUNT_CACHE_SECONDS
        if max_age <= 0:
            return count()
        now = time.monotonic()
        with self._lock:
            cached = self._counts.get(key)
            if cached is not None and cached[1] > now:
                return cached[0]
            generation = self._generations.get(key[0], 0)
        value = count()
        with self._lock:
            if self._generations.get(key[0], 0) == generation:
                self._counts[key] = (value, now + max_age)
        return value

    def forget(self, owner_id: Any) -> None:
        with self._lock:
            self._generations[owner_id] = self._generations.get(owner_id, 0) + 1
            for key in [k for k in self._counts if k[0] == owner_id]:
                del self._counts[key]

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._generations.clear()


job_counts = JobCounts()


def count_key(user: Any) -> CountKey:
    """The user's id and join time: a user id reused after a delete (or a test's rollback) is a new key."""
    return (user.pk, user.date_joined)


def forget_owner(owner_id: Any, using: str | None = None) -> None:
    """Call on every create or delete of an owner's jobs: now, and when the transaction commits."""
    job_counts.forget(owner_id)
    transaction.on_commit(lambda: job_counts.forget(owner_id), using=using)


def _forget_created(sender: Any, instance: Job, created: bool, **kwargs: Any) -> None:
    if created:  # an update changes no count
        forget_owner(instance.owner_id, kwargs.get("using"))


post_save.connect(_forget_created, sender=Job, dispatch_uid="job_counts_created")
