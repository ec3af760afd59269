"""What the web (/me, the follow form, admin) and the bot do with watches, in one place: each call
checks the watch belongs to the subscriber who asks, and says in Chinese and English what went wrong.

The watches themselves (rows, validation, the per-subscriber limit, backfill) are processor.watches';
this module only adapts its calls to the people-facing surfaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from storage import Subscriber, Watch
from storage import watches as store

from .watch_settings import watch_settings
from .watches import (
    WatchError,
    backfill_watch,
    create_watch,
    delete_watch,
    edit_watch,
    pause_watch,
    summaries,
)

__all__ = ["WatchProblem", "WatchRow", "add", "backfill", "edit", "owned", "remove", "rows",
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


def _problem(exc: WatchError) -> WatchProblem:
    return WatchProblem(exc.en, exc.zh)


def rows(session: Session, subscriber_id: int | None = None) -> list[WatchRow]:
    """One subscriber's watches (None: everyone's, with owners) and their 30-day match counts."""
    found = summaries(session, subscriber_id=subscriber_id)
    owners: dict[int, str] = {}
    if subscriber_id is None and found:
        ids = {w.subscriber_id for w in found}
        owners = {s.id: s.name for s in session.query(Subscriber).filter(Subscriber.id.in_(ids))}
    return [
        WatchRow(w.id, w.subscriber_id, w.query, w.topics, w.sources, not w.active, w.matches_30d,
                 owners.get(w.subscriber_id, ""))
        for w in found
    ]  # fmt: skip


def owned(session: Session, subscriber_id: int | None, watch_id: int) -> Watch:
    """The watch when it belongs to this subscriber (None: to anyone), else WatchProblem."""
    watch = store.get_watch(session, watch_id)
    if watch is None or (subscriber_id is not None and watch.subscriber_id != subscriber_id):
        raise WatchProblem("no such followed search of yours", "您没有这个关注")
    return watch


def add(session: Session, subscriber_id: int, query: str, topics: Sequence[str] = (),
        sources: Sequence[str] = (), config: Any = None) -> int:  # fmt: skip
    """A new watch's id; WatchProblem for a bad query or over the limit ([watches] of `config`;
    the caller commits)."""
    limits = watch_settings(config) if config is not None else None
    try:
        return create_watch(session, subscriber_id, query, topics=topics, sources=sources, settings=limits).id
    except WatchError as exc:
        raise _problem(exc) from None


def edit(session: Session, subscriber_id: int, watch_id: int, query: str) -> None:
    owned(session, subscriber_id, watch_id)
    try:
        edit_watch(session, watch_id, query=query)
    except WatchError as exc:
        raise _problem(exc) from None


def set_paused(session: Session, subscriber_id: int, watch_id: int, paused: bool) -> None:
    owned(session, subscriber_id, watch_id)
    pause_watch(session, watch_id, paused)


def remove(session: Session, subscriber_id: int | None, watch_id: int) -> bool:
    """Delete a watch of this subscriber (None: whoever owns it, for a signed undo link);
    False when it is gone already or not theirs."""
    try:
        owned(session, subscriber_id, watch_id)
    except WatchProblem:
        return False
    return delete_watch(session, watch_id)


def backfill(session: Session, watch_id: int, n: int) -> int:
    """Queue the n most recent existing matches once; how many were queued."""
    return backfill_watch(session, watch_id, n)
