"""Which story an article joins and which copy leads it: the story policy.

storage.stories keeps the near-duplicate index (signatures, bucket keys, scored candidates) and the
story rows; the rules on top of them live here:

- join the candidate with the highest containment when it is >= MIN_CONTAINMENT (0.6) and at
  least MIN_SHARED (40) 5-grams are shared (evidence in tests/storage/stories/README.md);
- a changed article (changed=True) keeps its story; only its signature and buckets are redone;
- the lead article is the most official copy (lowest tier), then the earliest published, then
  the lowest id; it is recomputed whenever an article joins or changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from storage import Article, Story, stories

__all__ = ["MIN_CONTAINMENT", "MIN_SHARED", "assign", "lead_rank", "match"]

MIN_CONTAINMENT = 0.6  # |A∩B| / min(|A|,|B|) needed to join a story
MIN_SHARED = 40  # ... and at least this many shared 5-grams (a sentence or two)


def lead_rank(tier: int, published_at: Any, article_id: int) -> tuple:
    """Lower wins: official source first, then earliest published (unknown last), then lowest id.
    `published_at` is a datetime, or a stored value as the driver returns it (text on SQLite)."""
    if published_at is None:
        return (tier, 1, "", article_id)
    return (tier, 0, published_at, article_id)


def _best(found: list[stories.Candidate]) -> stories.Candidate | None:
    """The candidate to join: highest containment, then most shared, then lowest id."""
    best = None
    for c in found:
        if c.containment < MIN_CONTAINMENT or c.shared < MIN_SHARED:
            continue
        if best is None or (c.containment, c.shared, -c.article_id) > (
            best.containment,
            best.shared,
            -best.article_id,
        ):
            best = c
    return best


def match(
    session: Session, sig: stories.Signature, *, exclude: int | None = None
) -> tuple[int, float] | None:
    """Best stored article this signature nearly duplicates: (article id, containment), or None."""
    found, _ = stories.candidates(session.connection(), sig, stories.band_keys(sig), exclude)
    best = _best(found)
    return None if best is None else (best.article_id, best.containment)


def _refresh_lead(session: Session, conn: Any, story_id: int, article: Article) -> Story:
    lead = min(lead_rank(t, p, i) for i, t, p in stories.story_members(conn, story_id, article))[-1]
    return stories.set_lead(session, conn, story_id, lead)


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
    sig = stories.signature(article.body_text or "")
    keys = stories.band_keys(sig)
    if changed or article.story_id is not None:
        stories.forget_signature(conn, article.id)
    found, fill = stories.candidates(conn, sig, keys, article.id)
    best = _best(found)
    if len(sig):
        stories.save_signature(conn, article.id, sig, keys, fill)

    if article.story_id is not None:
        if changed:
            return _refresh_lead(session, conn, article.story_id, article)
        return stories.story_ref(session, article.story_id)
    if best is not None and best.story_id is not None:
        stories.set_story(session, conn, article, best.story_id)
        return _refresh_lead(session, conn, best.story_id, article)
    return stories.new_story(session, conn, article)
