"""Stories: the story rows and the near-duplicate index that groups republished copies.

The index (how it is used and why: processor/stories.py and tests/storage/stories/README.md):

- `fingerprints(hash, article_id)`: one row per winnowing fingerprint (a signed 32-bit hash)
  of an article, primary key (hash, article_id), clustered (`WITHOUT ROWID` on SQLite): a lookup
  by hash is one range scan of one B-tree that already holds the article ids. No index by
  article: an article's rows are found again from its text (`forget_prints`).
- `fingerprint_counts(article_id, prints)`: how many fingerprints the article has (the
  denominator of containment), one small row per article; it also marks the article as indexed.
- A hash already held by `max_postings` articles (boilerplate such as a disclaimer every copy
  carries) is not stored again, so a lookup reads a bounded number of rows whatever the size of
  the archive.

The per-topic counters of storage.topic_counts (the topic page's day chart, per-source counts
and total) and story_topics' copy of the story's sort_at (a topic's newest stories, an index
read) are kept here, in the same transaction as the writes that change them: a copy joining a
story (set_story), a story gaining topics (add_topics), its sort_at changing (set_lead) and a
stored copy changing source (move_source). That is bookkeeping, not deciding.

This module stores and queries; the fingerprints themselves, the thresholds, which candidate an
article joins and which copy leads are decided in processor.stories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from .db import raw_sql as _raw
from .models import Article, Story
from .types import utcnow

__all__ = [
    "FILL_KEY",
    "Candidate",
    "add_topics",
    "candidates",
    "forget_prints",
    "move_source",
    "new_story",
    "previous_text",
    "postings",
    "save_prints",
    "set_lead",
    "set_story",
    "story_members",
    "story_ref",
    "unindexed_articles",
]

# The settings row migration 0012 leaves while stored articles still lack fingerprints:
# {"after": id, "upto": id} (processor.stories.ensure_story_index fills them and clears it).
FILL_KEY = "story_index_backfill"

_ARTICLES = Article.__table__
_STORIES = Story.__table__


def _db_time(conn: Connection, value: datetime) -> Any:
    """A timestamp as UTCDateTime stores it (naive UTC; SQLite: SQLAlchemy's text format)."""
    value = value.astimezone(UTC).replace(tzinfo=None)
    if conn.dialect.name == "sqlite":
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _marks(n: int) -> str:
    return ",".join("?" * n)


class Candidate(NamedTuple):
    """A stored article sharing fingerprints with the one being placed."""

    article_id: int
    shared: int  # fingerprints both have, as far as the index holds them
    common: int  # ... of which hashes held by max_postings articles (boilerplate, stored no more)
    prints: int  # fingerprints stored for the candidate
    story_id: int | None


def postings(conn: Connection, prints: Sequence[int]) -> list[tuple[int, int]]:
    """(hash, article_id) of every stored article holding one of `prints`: one indexed query."""
    if len(prints) == 0:
        return []
    return _raw(
        conn, f"SELECT hash, article_id FROM fingerprints WHERE hash IN ({_marks(len(prints))})", list(prints)
    ).fetchall()


def candidates(
    conn: Connection, prints: Sequence[int], exclude: int | None, limit: int, max_postings: int
) -> tuple[list[Candidate], Counter[int]]:
    """The `limit` stored articles sharing most fingerprints with `prints` (never `exclude`), with
    their stored counts and stories; also how many articles hold each hash (for save_prints)."""
    rows = postings(conn, prints)
    fill: Counter[int] = Counter(h for h, _ in rows)
    hits: Counter[int] = Counter()
    common: Counter[int] = Counter()
    for h, article_id in rows:
        if article_id != exclude:
            hits[article_id] += 1
            if fill[h] >= max_postings:
                common[article_id] += 1
    if not hits:
        return [], fill
    ids = [a for a, _ in hits.most_common(limit)]
    found = _raw(
        conn,
        "SELECT c.article_id, c.prints, a.story_id FROM fingerprint_counts c"
        f" JOIN articles a ON a.id = c.article_id WHERE c.article_id IN ({_marks(len(ids))})",
        ids,
    ).fetchall()
    return [Candidate(i, hits[i], common[i], n, story_id) for i, n, story_id in found], fill


def save_prints(
    conn: Connection, article_id: int, prints: Sequence[int], fill: Counter[int], max_postings: int
) -> None:
    """Store those of the article's fingerprints held by fewer than `max_postings` articles
    (`fill`, from candidates()) and how many that is."""
    rows = [(h, article_id) for h in prints if fill[h] < max_postings]
    _raw(conn, "INSERT INTO fingerprint_counts (article_id, prints) VALUES (?, ?)", (article_id, len(rows)))
    if rows:
        _raw(conn, "INSERT INTO fingerprints (hash, article_id) VALUES (?, ?)", rows, many=True)


def forget_prints(conn: Connection, article_id: int, prints: Sequence[int]) -> None:
    """Drop an article's count and its fingerprint rows for `prints` (the fingerprints of the text it
    was indexed with: rows are found by their primary key, never by scanning for the article)."""
    if len(prints):
        _raw(
            conn,
            "DELETE FROM fingerprints WHERE hash = ? AND article_id = ?",
            [(h, article_id) for h in prints],
            many=True,
        )
    _raw(conn, "DELETE FROM fingerprint_counts WHERE article_id = ?", (article_id,))


def previous_text(conn: Connection, article_id: int) -> str | None:
    """The body an updated article had before its latest change (its newest ArticleRevision)."""
    row = _raw(
        conn,
        "SELECT body_text FROM article_revisions WHERE article_id = ? ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    return None if row is None else (row[0] or "")


def unindexed_articles(conn: Connection, after: int, upto: int, limit: int) -> list[tuple[int, str]]:
    """(id, body) of up to `limit` articles with after < id <= upto and no fingerprint count yet,
    in id order (a resumable walk of an archive indexed before the fingerprints existed)."""
    rows = _raw(
        conn,
        "SELECT a.id, a.body_text FROM articles a LEFT JOIN fingerprint_counts c ON c.article_id = a.id"
        " WHERE a.id > ? AND a.id <= ? AND c.article_id IS NULL ORDER BY a.id LIMIT ?",
        (after, upto, limit),
    ).fetchall()
    return [(i, body or "") for i, body in rows]


def story_ref(session: Session, story_id: int, **values: Any) -> Story:
    """The ORM Story for a row written with plain SQL, kept in step without a SELECT or flush.

    Attributes not given stay unloaded and load on first access.
    """
    story = session.identity_map.get(identity_key(Story, story_id))
    if story is None:
        story = Story(id=story_id, **values)
        make_transient_to_detached(story)
        session.add(story)
        return story
    for name, value in values.items():
        set_committed_value(story, name, value)
    return story


def _join(conn: Connection, article: Article, story_id: int) -> None:
    _raw(conn, "UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article.id))
    set_committed_value(article, "story_id", story_id)


def set_story(session: Session, conn: Connection, article: Article, story_id: int) -> None:
    """`article` joins a stored story: one more copy from its source for each of the story's topics."""
    _join(conn, article, story_id)
    _bump(conn, "topic_sources", [(t, article.source, 1) for t in _story_topics(conn, story_id)])


def move_source(conn: Connection, story_id: int, before: str, after: str) -> None:
    """A copy of the story changed source (an updated article): its topics' per-source counts follow."""
    if before != after:
        topics = _story_topics(conn, story_id)
        _bump(conn, "topic_sources", [*((t, before, -1) for t in topics), *((t, after, 1) for t in topics)])


# The counter tables of storage.topic_counts: (key column, count column).
_COUNTERS = {"topic_days": ("day", "stories"), "topic_sources": ("source", "articles")}


def _bump(conn: Connection, table: str, rows: Sequence[tuple[str, Any, int]]) -> None:
    """Add each (topic, key, delta) to a counter table; rows left at zero are deleted. In key
    order, so concurrent writers on PostgreSQL lock a statement's rows in the same order."""
    if not rows:
        return
    key, n = _COUNTERS[table]
    rows = sorted(rows, key=lambda r: (r[0], str(r[1])))
    _raw(
        conn,
        f"INSERT INTO {table} (topic_id, {key}, {n}) VALUES (?, ?, ?)"
        f" ON CONFLICT (topic_id, {key}) DO UPDATE SET {n} = {table}.{n} + excluded.{n}",
        rows,
        many=True,
    )
    gone = [(t, k) for t, k, delta in rows if delta < 0]
    if gone:
        _raw(conn, f"DELETE FROM {table} WHERE topic_id = ? AND {key} = ? AND {n} <= 0", gone, many=True)


def _story_topics(conn: Connection, story_id: int) -> list[str]:
    return [t for (t,) in _raw(conn, "SELECT topic_id FROM story_topics WHERE story_id = ?", (story_id,))]


def _day(conn: Connection) -> str:
    """SQL for the Beijing day of stories.sort_at, as storage.archive's day counts took it."""
    if conn.dialect.name == "sqlite":
        return "date(sort_at, '+8 hours')"
    return "date(sort_at + interval '8 hours')"


def story_members(conn: Connection, story_id: int, article: Article) -> list[tuple[int, int, Any]]:
    """(id, tier, published_at) of the story's articles, `article` included with its unsaved values
    (published_at as the driver returns it: text on SQLite, so the values compare alike)."""
    rows = _raw(
        conn,
        "SELECT id, tier, published_at FROM articles WHERE story_id = ? AND id != ?",
        (story_id, article.id),
    ).fetchall()
    mine = None if article.published_at is None else _db_time(conn, article.published_at)
    return [*((i, t, p) for i, t, p in rows), (article.id, article.tier, mine)]


def set_lead(session: Session, conn: Connection, story_id: int, lead: int) -> Story:
    """Record the story's lead article, the time it is listed by (sort_at: the earliest
    published_at of its copies, the time the pages show, else created_at; its articles are
    flushed) and touch updated_at; its story_topics rows and topic_days follow a new sort_at."""
    now = utcnow()
    day = _day(conn)
    before = _raw(conn, f"SELECT sort_at, {day} FROM stories WHERE id = ?", (story_id,)).fetchone()
    after = _raw(
        conn,
        "UPDATE stories SET lead_article_id = ?, updated_at = ?,"
        " sort_at = coalesce((SELECT min(published_at) FROM articles WHERE story_id = ?), created_at)"
        f" WHERE id = ? RETURNING sort_at, {day}",
        (lead, _db_time(conn, now), story_id, story_id),
    ).fetchone()
    if before is not None and after is not None and before[0] != after[0]:  # its topics' copies follow
        _raw(conn, "UPDATE story_topics SET sort_at = ? WHERE story_id = ?", (after[0], story_id))
        if before[1] != after[1]:
            topics = _story_topics(conn, story_id)
            moved = [*((t, before[1], -1) for t in topics if before[1] is not None),
                     *((t, after[1], 1) for t in topics if after[1] is not None)]  # fmt: skip
            _bump(conn, "topic_days", moved)
    story = story_ref(session, story_id, lead_article_id=lead, updated_at=now)
    if "sort_at" in story.__dict__:
        session.expire(story, ["sort_at"])  # set in SQL: loads again on access
    return story


def new_story(session: Session, conn: Connection, article: Article) -> Story:
    """A new story led by `article`, which joins it."""
    now = utcnow()
    stamp = _db_time(conn, now)
    when = article.published_at or now
    story_id = _raw(
        conn,
        "INSERT INTO stories (lead_article_id, created_at, updated_at, sort_at) VALUES (?, ?, ?, ?) RETURNING id",
        (article.id, stamp, stamp, _db_time(conn, when)),
    ).fetchone()[0]
    _join(conn, article, story_id)  # no topics yet: add_topics counts them
    return story_ref(
        session, story_id, lead_article_id=article.id, created_at=now, updated_at=now, sort_at=when
    )


def add_topics(session: Session, story: Story, topics: set[str]) -> list[str]:
    """Add those of `topics` the story lacks (kept as first seen, with the story's sort_at),
    counted in topic_days and topic_sources; returns them, sorted."""
    if not topics:
        return []
    if story.id is None:
        session.flush()
    conn = session.connection()  # plain SQL, not the ORM: a unit-of-work flush per article cost more
    rows = _raw(conn, "SELECT topic_id FROM story_topics WHERE story_id = ?", (story.id,)).fetchall()
    added = sorted(topics - {t for (t,) in rows})
    if added:
        stamp = _db_time(conn, utcnow())
        when, day = _raw(
            conn, f"SELECT sort_at, {_day(conn)} FROM stories WHERE id = ?", (story.id,)
        ).fetchone()
        _raw(
            conn,
            "INSERT INTO story_topics (story_id, topic_id, first_seen_at, sort_at) VALUES (?, ?, ?, ?)",
            [(story.id, t, stamp, when) for t in added],
            many=True,
        )
        _count_topics(conn, story.id, added, day)
    return added


def _count_topics(conn: Connection, story_id: int, topics: Sequence[str], day: Any) -> None:
    """The story gained `topics`: in each it counts on its day, its copies per source."""
    if day is not None:
        _bump(conn, "topic_days", [(t, day, 1) for t in topics])
    copies = _raw(
        conn, "SELECT source, count(*) FROM articles WHERE story_id = ? GROUP BY source", (story_id,)
    ).fetchall()
    _bump(conn, "topic_sources", [(t, source, n) for t in topics for source, n in copies])
