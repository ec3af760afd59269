"""Watches: a subscriber follows a search query. Creating and editing them (validated like a
search), and matching new articles against all of them at once in the ingest process.

The matching rule is search's own (search.query_matches on the index's tokens), so a new story
alerts a watch exactly when the archive search for the watch's query, with its topic and source
filters, would list one of the story's articles.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable
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
    """A watch that cannot be stored as asked; the message is for the person who asked, in English
    (.en) and Chinese (.zh: the English when there is none); str() gives both, Chinese first.
    .kind says which refusal it is ("invalid", "missing" or "limit") so callers such as the admin
    API pick their answer from it, not from the wording."""

    def __init__(self, en: str, zh: str | None = None, kind: str = "invalid") -> None:
        super().__init__(en if zh is None else f"{zh} / {en}")
        self.en, self.zh, self.kind = en, zh or en, kind

    def __reduce__(self) -> tuple[type, tuple[str, str | None, str]]:
        return (type(self), (self.en, None if self.zh == self.en else self.zh, self.kind))


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
        raise WatchError(exc.en, zh=exc.zh) from None


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
        raise WatchError(f"no subscriber {subscriber_id}", kind="missing")
    limit = (settings or WatchSettings()).max_per_subscriber
    if store.count_watches(session, subscriber_id) >= limit:
        raise WatchError(
            f"Subscriber {subscriber_id} already has {limit} watches, the limit ([watches] "
            "max_per_subscriber): remove one first.",
            zh=f"订阅者 {subscriber_id} 已有 {limit} 个关注（上限）",
            kind="limit",
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
        raise WatchError(f"no watch {watch_id}", kind="missing")
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


def _backfill_stories(session: Session, watch: Watch, n: int) -> list[int]:
    """The ``n`` newest stories the archive search lists for the watch (with its filters)."""
    found: dict[int, int] = {}  # story id -> newest matching article id
    for topic in watch.topics or [None]:
        for source in watch.sources or [None]:
            cursor = None
            for _ in range(_BACKFILL_PAGES):
                page = search.search(
                    session, watch.query, topic=topic, source=source, limit=_BACKFILL_PAGE, cursor=cursor
                )
                for hit in page.hits:
                    if hit.story_id is not None:
                        found[hit.story_id] = max(found.get(hit.story_id, 0), hit.article_id)
                cursor = page.next_cursor
                if cursor is None:
                    break
    return sorted(found, key=lambda sid: found[sid], reverse=True)[:n]


def backfill_watch(session: Session, watch_id: int, n: int) -> int:
    """Queue alerts for the ``n`` most recent stories already stored that the watch matches, as
    the archive search lists them; once: a story already queued for the subscriber is skipped.
    Returns rows written (no commit)."""
    from storage import Story

    from .fanout import queue_alerts

    watch = store.get_watch(session, watch_id)
    if watch is None:
        raise WatchError(f"no watch {watch_id}", kind="missing")
    written = 0
    for story_id in _backfill_stories(session, watch, max(0, n)):
        story = session.get(Story, story_id)
        if story is not None:
            written += queue_alerts(
                session, story, [], only=watch.subscriber_id, watches=[(watch.id, watch.subscriber_id)]
            )
    return written


_DF_CAP = 300  # articles whose tokens count toward the document frequencies keys are chosen by


class WatchMatcher:
    """Every active watch in memory, indexed by its rarest required token, for the ingest process.

    :meth:`refresh` reloads when any watch changed (storage.watches.watches_version: one primary-key
    read per article), so each ingest sees watches added, edited, paused or deleted before it. Keys are chosen by the document
    frequencies of the articles this process has seen (a guess before any).
    """

    def __init__(self) -> None:
        self.version: Any = None
        self.index: search.QueryIndex[int] = search.QueryIndex()
        # watch id -> (subscriber id, topics, sources); empty sets mean any
        self.meta: dict[int, tuple[int, frozenset[str], frozenset[str]]] = {}
        self.df: Counter[str] = Counter()
        self.seen = 0
        self.parsed: dict[str, search.ParsedQuery] = {}  # by query text, kept across reloads

    def refresh(self, session: Session) -> bool:
        """Reload the watches if they changed since the last load; True when reloaded."""
        version = store.watches_version(session)
        if version == self.version:
            return False
        index: search.QueryIndex[int] = search.QueryIndex(dict(self.df) if self.df else None)
        meta: dict[int, tuple[int, frozenset[str], frozenset[str]]] = {}
        parsed_before, parsed_now = self.parsed, {}
        for wid, sub, query, topics, sources in store.active_watch_rows(session):
            parsed = parsed_before.get(query)
            if parsed is None:
                try:
                    parsed = search.parse_query(query)
                except search.QueryError as exc:  # stored before a rule changed: say so, never crash ingest
                    log.warning("watch %d (%r) cannot be matched: %s", wid, query, exc)
                    continue
            parsed_now[query] = parsed
            index.add(wid, parsed)
            meta[wid] = (sub, frozenset(topics or ()), frozenset(sources or ()))
        self.index, self.meta, self.version, self.parsed = index, meta, version, parsed_now
        log.debug("watch index: %d active watches", len(meta))
        return True

    def _count(self, doc: search.ArticleTokens) -> None:
        if self.seen < _DF_CAP:
            self.seen += 1
            self.df.update(doc.keys)
            self.df.update(c + "*" for c in doc.chars)

    def match_doc(
        self, doc: search.ArticleTokens, source: str, topic_ids: Callable[[], Collection[str]]
    ) -> list[tuple[int, int]]:
        """(watch id, subscriber id) of the loaded watches this tokenised article matches."""
        self._count(doc)
        out: list[tuple[int, int]] = []
        topics: Collection[str] | None = None
        for wid in self.index.matching(doc):
            sub, want_topics, want_sources = self.meta[wid]
            if want_sources and source not in want_sources:
                continue
            if want_topics:
                topics = topic_ids() if topics is None else topics
                if want_topics.isdisjoint(topics):
                    continue
            out.append((wid, sub))
        return out

    def match(
        self,
        session: Session,
        source: str,
        title: str,
        body: str,
        topic_ids: Callable[[], Collection[str]],
        tokens: tuple[str, str] | None = None,
        *,
        refresh: bool = True,
    ) -> list[tuple[int, int]]:
        """(watch id, subscriber id) of the active watches this article matches: refreshes first
        unless ``refresh`` is False (the caller refreshed in this transaction, for a batch);
        ``topic_ids`` gives the article's matched topics (asked only for watches limited to topics);
        ``tokens``: the title's and body's index tokens, when already made."""
        if refresh:
            self.refresh(session)
        if not self.meta:
            return []
        return self.match_doc(search.article_tokens(title, body, tokens), source, topic_ids)
