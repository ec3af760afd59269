"""Watch rows (a subscriber follows a search query) and which stories matched them.

Storage only stores and counts: whether a query is valid, how many watches a subscriber may have
and which stories match are decided above (processor.watches, search).

Every write to ``watches`` (here, and a subscriber's removal in storage.subscribers) calls
:func:`bump_watches_version` in its transaction, so the ingest process's cached index learns of it
from one primary-key read (:func:`watches_version`) instead of reading the whole table per article.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Watch, WatchMatch
from .state import Setting
from .types import utcnow

__all__ = [
    "active_watch_rows",
    "add_watch",
    "bump_watches_version",
    "count_watches",
    "get_watch",
    "list_watches",
    "match_counts",
    "record_matches",
    "remove_watch",
    "set_watch_active",
    "update_watch",
    "watch_match_days",
    "watches_version",
]


def add_watch(
    session: Session,
    subscriber_id: int,
    query: str,
    *,
    topics: Iterable[str] = (),
    sources: Iterable[str] = (),
    active: bool = True,
) -> Watch:
    """Store a watch as given (validated by the caller); flushes so it has an id."""
    bump_watches_version(session)
    now = utcnow()
    watch = Watch(
        subscriber_id=subscriber_id,
        query=query,
        topics=list(dict.fromkeys(topics)),
        sources=list(dict.fromkeys(sources)),
        active=active,
        created_at=now,
        updated_at=now,
    )
    session.add(watch)
    session.flush()
    return watch


def get_watch(session: Session, watch_id: int) -> Watch | None:
    return session.get(Watch, watch_id)


def list_watches(
    session: Session, *, subscriber_id: int | None = None, active: bool | None = None
) -> list[Watch]:
    """Watches by id, of one subscriber or all, active / paused ones or both."""
    stmt = select(Watch).order_by(Watch.id)
    if subscriber_id is not None:
        stmt = stmt.where(Watch.subscriber_id == subscriber_id)
    if active is not None:
        stmt = stmt.where(Watch.active.is_(active))
    return list(session.scalars(stmt))


def active_watch_rows(session: Session) -> list[tuple[int, int, str, list, list]]:
    """(id, subscriber id, query, topics, sources) of every active watch: what an index loads
    (plain rows: 10,000 of them load several times faster than ORM objects)."""
    stmt = select(Watch.id, Watch.subscriber_id, Watch.query, Watch.topics, Watch.sources).where(
        Watch.active.is_(True)
    )
    return [tuple(r) for r in session.execute(stmt.order_by(Watch.id))]


def count_watches(session: Session, subscriber_id: int) -> int:
    """How many watches (active or paused) a subscriber has: what the per-subscriber limit counts."""
    return session.scalar(select(func.count()).select_from(Watch).where(Watch.subscriber_id == subscriber_id))


def update_watch(
    session: Session,
    watch_id: int,
    *,
    query: str | None = None,
    topics: Iterable[str] | None = None,
    sources: Iterable[str] | None = None,
) -> Watch | None:
    """Change a watch's query or filters (None leaves a field alone); None if there is no such watch."""
    watch = session.get(Watch, watch_id)
    if watch is None:
        return None
    bump_watches_version(session)
    if query is not None:
        watch.query = query
    if topics is not None:
        watch.topics = list(dict.fromkeys(topics))
    if sources is not None:
        watch.sources = list(dict.fromkeys(sources))
    watch.updated_at = utcnow()
    session.flush()
    return watch


def set_watch_active(session: Session, watch_id: int, active: bool) -> bool:
    """Pause (False) or resume (True) a watch; False if there is no such watch."""
    watch = session.get(Watch, watch_id)
    if watch is None:
        return False
    if watch.active != active:
        bump_watches_version(session)
        watch.active = active
        watch.updated_at = utcnow()
    session.flush()
    return True


def remove_watch(session: Session, watch_id: int) -> bool:
    """Delete a watch and its match records; False if there was none."""
    watch = session.get(Watch, watch_id)
    if watch is None:
        return False
    bump_watches_version(session)
    session.execute(WatchMatch.__table__.delete().where(WatchMatch.watch_id == watch_id))
    session.delete(watch)
    session.flush()
    return True


VERSION_KEY = "watches_version"  # its row in the settings table


def bump_watches_version(session: Session) -> None:
    """Give the watches a new version in the caller's transaction: every write to them calls this
    (before writing, so concurrent writers queue on this one row rather than deadlock on watch rows).

    A fresh random token rather than a counter: two writers committing at once each write a value
    no reader has seen, with no read-modify-write to lose."""
    values = {"value": uuid.uuid4().hex, "updated_at": utcnow()}
    stmt = update(Setting).where(Setting.key == VERSION_KEY).values(**values)
    if session.execute(stmt.execution_options(synchronize_session=False)).rowcount:
        return
    try:  # the first write ever: make the row
        with session.begin_nested():
            session.execute(insert(Setting).values(key=VERSION_KEY, **values))
    except IntegrityError:  # another writer made it first: change it after theirs
        session.execute(stmt.execution_options(synchronize_session=False))


def watches_version(session: Session) -> str:
    """A value that changes whenever a watch is added, edited, paused, resumed or deleted (a
    subscriber's removal included), so a cached index knows when to reload; one primary-key
    read. "" until the first write."""
    return session.scalar(select(Setting.value).where(Setting.key == VERSION_KEY)) or ""


def record_matches(
    session: Session, story_id: int, watch_ids: Collection[int], *, now: datetime | None = None
) -> int:
    """Note that a story matched these watches (the first time only); returns rows written."""
    if not watch_ids:
        return 0
    have = set(
        session.scalars(
            select(WatchMatch.watch_id).where(
                WatchMatch.story_id == story_id, WatchMatch.watch_id.in_(list(watch_ids))
            )
        )
    )
    when = now or utcnow()
    new = [{"watch_id": w, "story_id": story_id, "matched_at": when} for w in sorted(set(watch_ids) - have)]
    if new:  # one executemany: a story may match hundreds of watches
        session.execute(insert(WatchMatch), new)
    return len(new)


def match_counts(
    session: Session,
    watch_ids: Collection[int] | None = None,
    *,
    days: int = 30,
    now: datetime | None = None,
) -> dict[int, int]:
    """Stories matched per watch in the last ``days`` days (watches without a match are absent)."""
    since = (now or utcnow()) - timedelta(days=days)
    stmt = (
        select(WatchMatch.watch_id, func.count())
        .where(WatchMatch.matched_at >= since)
        .group_by(WatchMatch.watch_id)
    )
    if watch_ids is not None:
        stmt = stmt.where(WatchMatch.watch_id.in_(list(watch_ids)))
    return {wid: int(n) for wid, n in session.execute(stmt)}


def watch_match_days(
    session: Session, watch_ids: Collection[int], since: datetime, until: datetime
) -> list[tuple[int, int, datetime]]:
    """(watch id, story id, matched_at) of the matches in [since, until): what digests count."""
    if not watch_ids:
        return []
    stmt = select(WatchMatch.watch_id, WatchMatch.story_id, WatchMatch.matched_at).where(
        WatchMatch.watch_id.in_(list(watch_ids)),
        WatchMatch.matched_at >= since,
        WatchMatch.matched_at < until,
    )
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]
