"""Watches: a subscriber follows a search query. Creating and editing them (validated like a
search), and matching new articles against all of them at once in the ingest process.

The matching rule is search's own (search.query_matches on the index's tokens), so a new story
alerts a watch exactly when the archive search for the watch's query, with its topic and source
filters, would list one of the story's articles.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

import search
from storage import Watch
from storage import watches as store

from .watch_settings import WatchSettings

log = logging.getLogger(__name__)

__all__ = [
    "WatchError",
    "WatchMatcher",
    "WatchSummary",
    "backfill_watch",
    "check_query",
    "create_watch",
    "delete_watch",
    "edit_watch",
    "pause_watch",
    "summaries",
]

_BACKFILL_PAGE = 100
_BACKFILL_PAGES = 10  # search ranks its newest 1,000 matches: the newest N are among them


class WatchError(ValueError):
    """A watch that cannot be stored as asked; the message is for the person who asked."""


@dataclass(frozen=True)
class WatchSummary:
    """A watch as lists show it (CLI, API, admin, /me): with its stories of the last 30 days."""

    id: int
    subscriber_id: int
    query: str
    topics: list[str]
    sources: list[str]
    active: bool
    created_at: datetime
    matches_30d: int

    def plain(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subscriber_id": self.subscriber_id,
            "query": self.query,
            "topics": list(self.topics),
            "sources": list(self.sources),
            "active": self.active,
            "created_at": self.created_at.isoformat(),
            "matches_30d": self.matches_30d,
        }


def check_query(query: str) -> search.ParsedQuery:
    """The query parsed as search parses it; WatchError with search's own message when search
    would refuse it (empty, only exclusions, over 500 characters, nothing searchable)."""
    try:
        return search.parse_query(query)
    except search.QueryError as exc:
        raise WatchError(str(exc)) from None


def _clean(values: Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for v in values if v and v.strip()]


def create_watch(
    session: Session,
    subscriber_id: int,
    query: str,
    *,
    topics: Iterable[str] = (),
    sources: Iterable[str] = (),
    settings: WatchSettings | None = None,
    backfill: int = 0,
) -> Watch:
    """Validate and store a watch for an existing subscriber (no commit). It alerts on stories
    stored from now on; ``backfill`` N also queues the N most recent existing matches once."""
    from storage.subscribers import get_subscriber

    query = (query or "").strip()
    check_query(query)
    if get_subscriber(session, subscriber_id) is None:
        raise WatchError(f"no subscriber {subscriber_id}")
    limit = (settings or WatchSettings()).max_per_subscriber
    if store.count_watches(session, subscriber_id) >= limit:
        raise WatchError(
            f"订阅者 {subscriber_id} 已有 {limit} 个关注（上限）/ Subscriber {subscriber_id} already has "
            f"{limit} watches, the limit ([watches] max_per_subscriber): remove one first."
        )
    watch = store.add_watch(session, subscriber_id, query, topics=_clean(topics), sources=_clean(sources))
    if backfill > 0:
        backfill_watch(session, watch.id, backfill)
    return watch


def edit_watch(
    session: Session,
    watch_id: int,
    *,
    query: str | None = None,
    topics: Iterable[str] | None = None,
    sources: Iterable[str] | None = None,
) -> Watch:
    """Change a watch's query or filters (None leaves one alone), validated; WatchError if none."""
    if query is not None:
        query = query.strip()
        check_query(query)
    watch = store.update_watch(session, watch_id, query=query, topics=_clean(topics), sources=_clean(sources))
    if watch is None:
        raise WatchError(f"no watch {watch_id}")
    return watch


def pause_watch(session: Session, watch_id: int, paused: bool = True) -> bool:
    """Pause (or resume with paused=False) a watch; False if there is no such watch."""
    return store.set_watch_active(session, watch_id, not paused)


def delete_watch(session: Session, watch_id: int) -> bool:
    """Delete a watch; False if there was none."""
    return store.remove_watch(session, watch_id)


def summaries(session: Session, *, subscriber_id: int | None = None) -> list[WatchSummary]:
    """Every watch (or one subscriber's) with its matched stories of the last 30 days."""
    rows = store.list_watches(session, subscriber_id=subscriber_id)
    counts = store.match_counts(session, [w.id for w in rows], days=30)
    return [
        WatchSummary(
            w.id, w.subscriber_id, w.query, list(w.topics or []), list(w.sources or []), bool(w.active),
            w.created_at, counts.get(w.id, 0),
        )
        for w in rows
    ]  # fmt: skip


def backfill_watch(session: Session, watch_id: int, n: int) -> int:
    """Queue alerts for the ``n`` most recent stories already stored that the watch matches, as
    the archive search lists them; once: a story already queued for the subscriber is skipped.
    Returns rows written (no commit)."""
    raise NotImplementedError  # filled in below the storage layer's first commit


class WatchMatcher:
    """Every active watch in memory, indexed by its rarest required token, for the ingest process.

    :meth:`refresh` reloads when any watch changed (storage.watches.watches_version), so a batch
    of ingests sees watches added, edited, paused or deleted since the previous batch.
    """

    def __init__(self) -> None:
        self.version: Any = None
        self.index: search.QueryIndex[int] = search.QueryIndex()
        self.meta: dict[int, tuple[int, frozenset[str], frozenset[str]]] = {}

    def refresh(self, session: Session) -> bool:
        """Reload the watches if they changed since the last load; True when reloaded."""
        raise NotImplementedError

    def match(
        self, session: Session, source: str, title: str, body: str, topic_ids: Sequence[str]
    ) -> list[tuple[int, int]]:
        """(watch id, subscriber id) of the active watches this article matches."""
        raise NotImplementedError
