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
- Join when containment >= 0.6 (MIN_CONTAINMENT) and >= 40 5-grams are shared (MIN_SHARED).
  On the test data copies score >= 0.93 (boilerplate, quote widgets, reworded lead, truncated,
  extended, punctuation) and unrelated bodies <= 0.14, or <= 0.51 when a shared disclaimer is
  a third of two short bodies; mid-body excerpts are found at 93% for 200 characters, 100% for 500.
- A key already held by MAX_POSTINGS articles (boilerplate such as a disclaimer every copy
  carries) is not stored again, so lookups stay bounded as the archive grows.

A changed article (changed=True) keeps its story; only its signature and buckets are redone.
The lead article is the most official copy (lowest tier), then the earliest published, then
the lowest id; it is recomputed whenever an article joins.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, inspect, select
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
    "MIN_CONTAINMENT",
    "MIN_SHARED",
    "Signature",
    "add_topics",
    "assign",
    "match",
    "lead_rank",
    "signature",
]

MIN_CHARS = 50  # normalised characters: shorter bodies never merge
MIN_CONTAINMENT = 0.6  # |A∩B| / min(|A|,|B|) needed to join a story
MIN_SHARED = 40  # ... and at least this many shared 5-grams (a sentence or two)
MAX_CANDIDATES = 32  # candidates whose signatures are loaded, most shared keys first
MIN_KEY_SHARE = 0.1  # shared bucket keys / keys of the smaller body needed before estimating
MAX_POSTINGS = 32  # articles per bucket key; beyond this a key is boilerplate and not stored


def signature(text: str) -> Signature:
    """The stored near-duplicate signature of a body: per-segment MinHash plus shingle counts."""
    sig = _minhash.signature(text)
    if sig.shingles < MIN_CHARS - _minhash.SHINGLE + 1:
        return _minhash.EMPTY
    return sig


def match(session: Session, sig: Signature, *, exclude: int | None = None) -> tuple[int, float] | None:
    """Best stored article this signature nearly duplicates: (article id, containment), or None."""
    found, _ = _lookup(session.connection(), sig, band_keys(sig), exclude)
    return None if found is None else (found[0], found[1])


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


def _lookup(
    conn: Connection, sig: Signature, keys: Any, exclude: int | None
) -> tuple[tuple[int, float, int | None] | None, Counter[int]]:
    """Candidates from the buckets, then containment from stored signatures; also key fill counts.

    Returns ((article id, containment, its story id) of the best match or None, postings per key).
    """
    if len(keys) == 0:
        return None, Counter()
    keys = keys.tolist()
    rows = _raw(conn, f"SELECT key, article_id FROM lsh_buckets WHERE key IN ({_marks(len(keys))})", keys)
    fill: Counter[int] = Counter()
    hits: Counter[int] = Counter()
    for key, article_id in rows.fetchall():
        fill[key] += 1
        if article_id != exclude:
            hits[article_id] += 1
    if not hits:
        return None, fill
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
        return None, fill
    found = _raw(
        conn,
        "SELECT s.article_id, s.minhash, s.segments, s.shingles, a.story_id"
        " FROM article_signatures s JOIN articles a ON a.id = s.article_id"
        f" WHERE s.article_id IN ({_marks(len(ids))})",
        ids,
    ).fetchall()
    best: tuple[float, float, int, int | None] | None = None
    for article_id, minhash, segments, shingles, story_id in found:
        score, shared = containment(sig, Signature.from_bytes(bytes(minhash), bytes(segments), shingles))
        if score < MIN_CONTAINMENT or shared < MIN_SHARED:
            continue
        if best is None or (score, shared, -article_id) > (best[0], best[1], -best[2]):
            best = (score, shared, article_id, story_id)
    return (None if best is None else (best[2], best[0], best[3])), fill


def _store(conn: Connection, article_id: int, sig: Signature, keys: Any, fill: Counter[int]) -> None:
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


def lead_rank(tier: int, published_at: datetime | None, article_id: int) -> tuple:
    """Lower wins: official source first, then earliest published (unknown last), then lowest id."""
    return (tier, published_at is None, published_at or _NEVER, article_id)


_NEVER = datetime.max.replace(tzinfo=UTC)


def _story(session: Session, story_id: int, **values: Any) -> Story:
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


def _set_story(session: Session, conn: Connection, article: Article, story_id: int) -> None:
    _raw(conn, "UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article.id))
    set_committed_value(article, "story_id", story_id)


def _raw_rank(tier: int, published: Any, article_id: int) -> tuple:
    """lead_rank on stored values (published as the driver returns it: text on SQLite)."""
    if published is None:
        return (tier, 1, "", article_id)
    return (tier, 0, published, article_id)


def _refresh_lead(session: Session, conn: Connection, story_id: int, article: Article) -> Story:
    """Recompute the lead from the story's articles and touch updated_at."""
    rows = _raw(
        conn,
        "SELECT id, tier, published_at FROM articles WHERE story_id = ? AND id != ?",
        (story_id, article.id),
    ).fetchall()
    ranks = [_raw_rank(t, p, i) for i, t, p in rows]
    mine = None if article.published_at is None else _db_time(conn, article.published_at)
    ranks.append(_raw_rank(article.tier, mine, article.id))
    lead = min(ranks)[-1]
    now = utcnow()
    _raw(
        conn,
        "UPDATE stories SET lead_article_id = ?, updated_at = ? WHERE id = ?",
        (lead, _db_time(conn, now), story_id),
    )
    return _story(session, story_id, lead_article_id=lead, updated_at=now)


def assign(session: Session, article: Article, *, changed: bool = False) -> Story:
    """Attach a flushed article to the story it nearly duplicates (or a new one) and return it.

    Indexes the article's signature, so later copies find it. A changed article keeps its story;
    its signature and buckets are recomputed so future copies match the new text. Writes go
    straight to the session's connection (no ORM flush), so it stays fast in long batches.
    """
    state = inspect(article)
    if article.id is None or state.pending or state.modified:
        session.flush()
    conn = session.connection()
    sig = signature(article.body_text or "")
    keys = band_keys(sig)
    if changed or article.story_id is not None:
        _raw(conn, "DELETE FROM lsh_buckets WHERE article_id = ?", (article.id,))
        _raw(conn, "DELETE FROM article_signatures WHERE article_id = ?", (article.id,))
    found, fill = _lookup(conn, sig, keys, article.id)
    if len(sig):
        _store(conn, article.id, sig, keys, fill)

    if article.story_id is not None:
        if changed:
            return _refresh_lead(session, conn, article.story_id, article)
        return _story(session, article.story_id)
    if found is not None and found[2] is not None:
        _set_story(session, conn, article, found[2])
        return _refresh_lead(session, conn, found[2], article)
    now = utcnow()
    stamp = _db_time(conn, now)
    story_id = _raw(
        conn,
        "INSERT INTO stories (lead_article_id, created_at, updated_at) VALUES (?, ?, ?) RETURNING id",
        (article.id, stamp, stamp),
    ).fetchone()[0]
    _set_story(session, conn, article, story_id)
    return _story(session, story_id, lead_article_id=article.id, created_at=now, updated_at=now)


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
