"""Usernames: NFKC-normalised, unique without regard to case, and written in one script.

`ｄｅｍｏ` is `demo` (NFKC), `DEMO` is taken when `demo` is, and `dеmo` (Cyrillic `е`) is refused because it
mixes scripts, so a look-alike of another user's name cannot be registered.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.db.backends.signals import connection_created
from django.db.models import F, Func
from django.dispatch import receiver

FOLD_FUNCTION = "appbuilder_casefold"
# Scripts that are written together (Japanese, Korean) count as one.
SCRIPT_FAMILIES = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "CJK": "CJK"}


def normalize(name: str) -> str:
    return unicodedata.normalize("NFKC", name)


def fold(name: str) -> str:
    return normalize(name).casefold()


def scripts(name: str) -> set[str]:
    """The scripts of the letters in `name` (digits and punctuation have none)."""
    found = set()
    for char in name:
        if not char.isalpha():
            continue
        word = unicodedata.name(char, "UNKNOWN").split()[0]
        found.add(SCRIPT_FAMILIES.get(word, word))
    return found


def taken(name: str) -> bool:
    """Whether a user already has this name, compared casefolded (Unicode, not just ASCII)."""
    users = get_user_model().objects.annotate(folded=Func(F("username"), function=FOLD_FUNCTION))
    return users.filter(folded=fold(name)).exists()


@receiver(connection_created)
def _register_fold(sender: object, connection: object, **kwargs: object) -> None:
    """Give each SQLite connection the casefold function `taken` queries with."""
    if getattr(connection, "vendor", "") == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, _fold_or_none, deterministic=True)


def _fold_or_none(value: object) -> str | None:
    return fold(value) if isinstance(value, str) else None
