"""Ways a deployed server may spell the reference server's frames (issue 12), as `RewriteProxy` rewrites.

Each `Variant` names the dialect of the server it rewrites and whether the client should read its frames
(`readable`) or fall back to REST re-syncs (no message id, opaque frames).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Frame = dict[str, Any]
ID_KEYS = ("id", "job_id", "app_id", "messageId", "jobId", "appId")


@dataclass(frozen=True)
class Variant:
    dialect: str  # "documented" or "legacy": the server's own dialect
    change: Callable[[Frame], Frame]
    readable: bool = True

    def rewrite(self, frame: Frame) -> list[Any]:
        return [self.change(frame)]


def camel(frame: Frame) -> Frame:
    def key(name: str) -> str:
        first, *rest = name.split("_")
        return first + "".join(word.title() for word in rest)
    return {key(k): v for k, v in frame.items()}


def snake(frame: Frame) -> Frame:
    return {"".join(f"_{c.lower()}" if c.isupper() else c for c in k): v for k, v in frame.items()}


def nested(under: str, ids_as_text: bool = False) -> Callable[[Frame], Frame]:
    def change(frame: Frame) -> Frame:
        kind_key = "kind" if "kind" in frame else "type"
        rest = {k: v for k, v in frame.items() if k != kind_key}
        return {kind_key: frame[kind_key], under: string_ids(rest) if ids_as_text else rest}
    return change


def string_ids(frame: Frame) -> Frame:
    return {k: str(v) if k in ID_KEYS and v is not None else v for k, v in frame.items()}


def renamed(**names: str) -> Callable[[Frame], Frame]:
    return lambda frame: {names.get(k, k): v for k, v in frame.items()}


def without(*keys: str) -> Callable[[Frame], Frame]:
    return lambda frame: {k: v for k, v in frame.items() if k not in keys}


def opaque(frame: Frame) -> Frame:
    return {"type": "update"}


def every_other_without_id(frame: Frame) -> Frame:
    """Readable frames right after unreadable ones: delivering them first would skip the unreadable's id."""
    return without("id")(frame) if isinstance(frame.get("id"), int) and frame["id"] % 2 else frame


VARIANTS: dict[str, Variant] = {
    "camelCase": Variant("documented", camel),
    "snake_case": Variant("legacy", snake),
    "nested-data": Variant("documented", nested("data")),
    "nested-payload-string-ids": Variant("legacy", nested("payload", ids_as_text=True)),
    "nested-message": Variant("legacy", nested("message")),
    "content-for-text": Variant("documented", renamed(text="content")),
    "status-for-state": Variant("legacy", renamed(state="status")),
    "string-ids": Variant("documented", string_ids),
    "no-message-id": Variant("documented", without("id"), readable=False),
    "odd-ids-missing": Variant("documented", every_other_without_id, readable=False),
    "opaque": Variant("legacy", opaque, readable=False),
}
