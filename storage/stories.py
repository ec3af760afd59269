"""Stories: group republished copies of one news event so a subscriber gets one alert per story.

An article joins the story of a stored article whose body it nearly duplicates, otherwise it
starts a story. Titles are never compared (two different notices often share a title prefix).

How near-duplicates are found (numbers in storage/_minhash.py, evidence in tests/storage/stories/README.md):

- A body is normalised (NFKC, lowercase, letters and digits only) and cut into character
  5-grams; bodies under MIN_CHARS normalised characters get no signature and never merge.
- The 5-gram sequence is split at content-defined anchors into segments of ~70 characters, and
  each segment gets a 32-slot MinHash. Signatures are stored (ArticleSignature) so a restart
  never rebuilds them from text.
- LSH: each segment has 2 bands of 4 slots; a bucket key is a 64-bit hash of (band index, band
  values), stored in lsh_buckets. Identical segments always share their keys, so any copy sharing
  one ~70-character passage becomes a candidate, whatever the Jaccard similarity of the whole
  bodies (0.013 for the 217-character lead paragraph vs the 19,000-character notice it opens).
- Lookup: the new article's keys -> candidate article ids (indexed query on lsh_buckets.key,
  top MAX_CANDIDATES by shared keys) -> their stored signatures -> estimated containment
  |A∩B| / min(|A|,|B|), where per segment pair |a∩b| = J*(|a|+|b|)/(1+J).
- processor.stories joins when containment >= 0.6 and >= 40 5-grams are shared (its thresholds).
  On the test data copies score >= 0.93 (boilerplate, quote widgets, reworded lead, truncated,
  extended, punctuation) and unrelated bodies <= 0.14, or <= 0.51 when a shared disclaimer is
  a third of two short bodies; mid-body excerpts are found at 93% for 200 characters, 100% for 500.
- A key already held by MAX_POSTINGS articles (boilerplate such as a disclaimer every copy
  carries) is not stored again, so lookups stay bounded as the archive grows.

This module stores and queries (signatures, bucket keys, story rows); which candidate an
article joins and which copy leads are decided in processor.stories.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from . import _minhash
from ._minhash import Signature, band_keys, containment
from .models import Article, Story, StoryTopic
from .types import utcnow

__all__ = [
    "MAX_CANDIDATES",
    "MAX_POSTINGS",
    "MIN_KEY_SHARE",
    "MIN_CHARS",
    "Candidate",
    "Signature",
    "add_topics",
    "band_keys",
    "candidates",
    "forget_signature",
    "new_story",
    "save_signature",
    "set_lead",
    "set_story",
    "signature",
    "story_members",
    "story_ref",
]

MIN_CHARS = 50  # normalised characters: shorter bodies never merge
MAX_CANDIDATES = 32  # candidates whose signatures are loaded, most shared keys first
MIN_KEY_SHARE = 0.1  # shared bucket keys / keys of the smaller body needed before estimating
MAX_POSTINGS = 32  # articles per bucket key; beyond this a key is boilerplate and not stored


def signature(text: str) -> Signature:
    """The stored near-duplicate signature of a body: per-segment MinHash plus shingle counts."""
    sig = _minhash.signature(text)
    if sig.shingles < MIN_CHARS - _minhash.SHINGLE + 1:
        return _minhash.EMPTY
    return sig


_ARTICLES = Article.__table__
_STORIES = Story.__table__


def _raw(conn: Connection, sql: str, params: Any = (), *, many: bool = False) -> Any:
    """Run plain SQL with ? placeholders on the session's connection, skipping SQL compilation.

    The hot statements touch only integers and bytes, so no column type conversion is needed;
    this halves the per-article cost against Core statements with expanding IN lists.
    """
    if conn.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    cursor = conn.connection.driver_connection.cursor()
    if many:
        cursor.executemany(sql, params)
    else:
        cursor.execute(sql, params)
    return cursor


def _db_time(conn: Connection, value: datetime) -> Any:
    """A timestamp as UTCDateTime stores it (naive UTC; SQLite: SQLAlchemy's text format)."""
    value = value.astimezone(UTC).replace(tzinfo=None)
    if conn.dialect.name == "sqlite":
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _marks(n: int) -> str:
    return ",".join("?" * n)


class Candidate(NamedTuple):
    """A stored article a signature may nearly duplicate, with the index's estimate of how much."""

    article_id: int
    containment: float  # |A∩B| / min(|A|,|B|), estimated from the MinHash slots
    shared: float  # estimated shared 5-grams
    story_id: int | None


def candidates(
    conn: Connection, sig: Signature, keys: Any, exclude: int | None
) -> tuple[list[Candidate], Counter[int]]:
    """Candidates from the buckets, scored from their stored signatures; also key fill counts.

    Returns (the candidates sharing enough keys, postings per key); the caller decides which to join.
    """
    if len(keys) == 0:
        return [], Counter()
    keys = keys.tolist()
    rows = _raw(conn, f"SELECT key, article_id FROM lsh_buckets WHERE key IN ({_marks(len(keys))})", keys)
    fill: Counter[int] = Counter()
    hits: Counter[int] = Counter()
    for key, article_id in rows.fetchall():
        fill[key] += 1
        if article_id != exclude:
            hits[article_id] += 1
    if not hits:
        return [], fill
    ids = [a for a, _ in hits.most_common(MAX_CANDIDATES)]
    # First the small per-segment sizes only: a candidate sharing a sentence or two, far from
    # a tenth of the smaller body's keys, is dropped before its MinHash blob is read.
    sizes = _raw(
        conn,
        f"SELECT article_id, segments FROM article_signatures WHERE article_id IN ({_marks(len(ids))})",
        ids,
    ).fetchall()
    need = MIN_KEY_SHARE * _minhash.BANDS
    ids = [i for i, seg in sizes if hits[i] >= need * min(len(sig), len(seg) // 4)]
    if not ids:
        return [], fill
    found = _raw(
        conn,
        "SELECT s.article_id, s.minhash, s.segments, s.shingles, a.story_id"
        " FROM article_signatures s JOIN articles a ON a.id = s.article_id"
        f" WHERE s.article_id IN ({_marks(len(ids))})",
        ids,
    ).fetchall()
    out = []
    for article_id, minhash, segments, shingles, story_id in found:
        score, shared = containment(sig, Signature.from_bytes(bytes(minhash), bytes(segments), shingles))
        out.append(Candidate(article_id, score, shared, story_id))
    return out, fill


def save_signature(conn: Connection, article_id: int, sig: Signature, keys: Any, fill: Counter[int]) -> None:
    """Write the article's signature and the bucket keys that are not yet saturated."""
    minhash, segments = sig.to_bytes()
    _raw(
        conn,
        "INSERT INTO article_signatures (article_id, minhash, segments, shingles) VALUES (?, ?, ?, ?)",
        (article_id, minhash, segments, sig.shingles),
    )
    rows = [(k, article_id) for k in keys.tolist() if fill[k] < MAX_POSTINGS]
    if rows:
        _raw(conn, "INSERT INTO lsh_buckets (key, article_id) VALUES (?, ?)", rows, many=True)


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


def forget_signature(conn: Connection, article_id: int) -> None:
    """Drop an article's signature and bucket keys (its text changed: they are redone)."""
    _raw(conn, "DELETE FROM lsh_buckets WHERE article_id = ?", (article_id,))
    _raw(conn, "DELETE FROM article_signatures WHERE article_id = ?", (article_id,))


def set_story(session: Session, conn: Connection, article: Article, story_id: int) -> None:
    _raw(conn, "UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article.id))
    set_committed_value(article, "story_id", story_id)


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
    """Record the story's lead article and touch updated_at."""
    now = utcnow()
    _raw(
        conn,
        "UPDATE stories SET lead_article_id = ?, updated_at = ? WHERE id = ?",
        (lead, _db_time(conn, now), story_id),
    )
    return story_ref(session, story_id, lead_article_id=lead, updated_at=now)


def new_story(session: Session, conn: Connection, article: Article) -> Story:
    """A new story led by `article`, which joins it."""
    now = utcnow()
    stamp = _db_time(conn, now)
    story_id = _raw(
        conn,
        "INSERT INTO stories (lead_article_id, created_at, updated_at) VALUES (?, ?, ?) RETURNING id",
        (article.id, stamp, stamp),
    ).fetchone()[0]
    set_story(session, conn, article, story_id)
    return story_ref(session, story_id, lead_article_id=article.id, created_at=now, updated_at=now)


def add_topics(session: Session, story: Story, topics: set[str]) -> list[str]:
    """Add those of `topics` the story lacks (kept as first seen); returns them, sorted."""
    if not topics:
        return []
    have = set(session.scalars(select(StoryTopic.topic_id).where(StoryTopic.story_id == story.id)))
    added = sorted(topics - have)
    for topic_id in added:
        session.add(StoryTopic(story_id=story.id, topic_id=topic_id))
    session.flush()
    return added
