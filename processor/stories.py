"""Which story an article joins and which copy leads it: the story policy.

storage.stories keeps the near-duplicate index (fingerprints, counts, candidates) and the story
rows; the fingerprints (processor._winnow: winnowing over the classifier's normalised text, so
traditional and simplified copies meet) and the rules on top of them live here:

- bodies with fewer than MIN_CHARS normalised letters and digits get no fingerprints and never merge;
- candidates: the stored articles sharing most fingerprints (at most MAX_CANDIDATES);
- join the candidate with the highest containment, shared / min(fingerprints of either), when it
  is >= MIN_CONTAINMENT and at least MIN_SHARED fingerprints are shared, or, when both bodies are
  that short (a flash item of ~100 characters has one), all of the smaller's (evidence in
  tests/storage/stories/README.md);
- a hash already held by MAX_POSTINGS articles is boilerplate: not stored again, so a lookup
  reads a bounded number of rows however large the archive grows;
- a changed article (changed=True) keeps its story; only its fingerprints are redone;
- the lead article is the most official copy (lowest tier), then the earliest published, then
  the lowest id; it is recomputed whenever an article joins or changes.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from storage import Article, Story, stories
from storage.state import get_setting, set_setting

from ._winnow import fingerprints

__all__ = [
    "BACKFILL_KEY",
    "MAX_CANDIDATES",
    "MAX_POSTINGS",
    "MIN_CHARS",
    "MIN_CONTAINMENT",
    "MIN_SHARED",
    "assign",
    "ensure_story_index",
    "lead_rank",
    "match",
    "prints_of",
]

MIN_CHARS = 50  # normalised letters and digits: shorter bodies never merge
MIN_CONTAINMENT = 0.6  # shared fingerprints / min(fingerprints of either) needed to join a story
MIN_SHARED = 2  # ... and at least this many shared fingerprints (~80 characters held whole, twice)
MAX_CANDIDATES = 16  # candidates scored, most shared fingerprints first
MAX_POSTINGS = 8  # articles per hash; from then on a hash is boilerplate and not stored
BACKFILL_KEY = stories.FILL_KEY  # settings row migration 0012 leaves: {"after": id, "upto": id}
BATCH = 500

log = logging.getLogger(__name__)
_NONE: list[int] = []


def prints_of(text: str) -> list[int]:
    """The body's fingerprints as stored (sorted, distinct); none for a body under MIN_CHARS."""
    if len(text) < MIN_CHARS:
        return _NONE
    return fingerprints(text, MIN_CHARS).tolist()


def lead_rank(tier: int, published_at: Any, article_id: int) -> tuple:
    """Lower wins: official source first, then earliest published (unknown last), then lowest id.
    `published_at` is a datetime, or a stored value as the driver returns it (text on SQLite)."""
    if published_at is None:
        return (tier, 1, "", article_id)
    return (tier, 0, published_at, article_id)


def _best(found: list[stories.Candidate], mine: int) -> tuple[stories.Candidate, float] | None:
    """The candidate to join and its containment: highest containment, then most shared, then lowest id.

    `mine`: the new article's fingerprints that are not boilerplate (held by fewer than
    MAX_POSTINGS articles). A candidate stored only its fingerprints that were not boilerplate
    then (c.prints); the boilerplate hashes it does hold count on both sides (c.common), so a copy
    of a story republished by many sites still meets the copies that hold its hashes.
    """
    best, key = None, None
    for c in found:
        score = c.shared / max(1, min(mine + c.common, c.prints))
        # Two short bodies (a flash item: one or two fingerprints each) join on what they have,
        # if that is not boilerplate.
        tiny = max(mine + c.common, c.prints) <= MIN_SHARED and c.shared > c.common
        if score < MIN_CONTAINMENT or (c.shared < MIN_SHARED and not tiny):
            continue
        if key is None or (score, c.shared, -c.article_id) > key:
            best, key = (c, min(1.0, score)), (score, c.shared, -c.article_id)
    return best


def _lookup(conn: Any, prints: list[int], exclude: int | None) -> tuple[Any, Counter[int]]:
    found, fill = stories.candidates(conn, prints, exclude, MAX_CANDIDATES, MAX_POSTINGS)
    mine = sum(1 for h in prints if fill[h] < MAX_POSTINGS)
    return _best(found, mine), fill


def match(session: Session, text: str, *, exclude: int | None = None) -> tuple[int, float] | None:
    """Best stored article this body nearly duplicates: (article id, containment), or None."""
    best, _ = _lookup(session.connection(), prints_of(text), exclude)
    return None if best is None else (best[0].article_id, best[1])


def _refresh_lead(session: Session, conn: Any, story_id: int, article: Article) -> Story:
    lead = min(lead_rank(t, p, i) for i, t, p in stories.story_members(conn, story_id, article))[-1]
    return stories.set_lead(session, conn, story_id, lead)


def assign(session: Session, article: Article, *, changed: bool = False) -> Story:
    """Attach a flushed article to the story it nearly duplicates (or a new one) and return it.

    Indexes the article's fingerprints, so later copies find it. A changed article keeps its
    story; the fingerprints of its previous text are dropped and the new text's stored. Writes go
    straight to the session's connection (no ORM flush), so it stays fast in long batches.
    """
    state = inspect(article)
    if article.id is None or state.pending or state.modified:
        session.flush()
    conn = session.connection()
    if article.story_id is not None and not changed:
        return stories.story_ref(session, article.story_id)  # indexed when it was placed
    if changed:
        before = stories.previous_text(conn, article.id)
        stories.forget_prints(conn, article.id, prints_of(before) if before is not None else _NONE)
    prints = prints_of(article.body_text or "")
    best, fill = _lookup(conn, prints, article.id)
    stories.save_prints(conn, article.id, prints, fill, MAX_POSTINGS)

    if article.story_id is not None:
        return _refresh_lead(session, conn, article.story_id, article)
    if best is not None and best[0].story_id is not None:
        stories.set_story(session, conn, article, best[0].story_id)
        return _refresh_lead(session, conn, best[0].story_id, article)
    return stories.new_story(session, conn, article)


def ensure_story_index(db: Any) -> int:
    """Fingerprint the articles stored before the fingerprint index (what migration 0012 asks,
    through its settings row); resumable, in batches with progress in the log. Run after migrate;
    returns how many articles were indexed (0: nothing to do, one primary-key read)."""
    done = 0
    with db.session() as session:
        state = get_setting(session, BACKFILL_KEY)
        if not state:
            return 0
        after, upto = int(state["after"]), int(state["upto"])
        total = session.scalar(
            select(func.count()).select_from(Article).where(Article.id > after, Article.id <= upto)
        )
        log.info("story index: fingerprinting %d stored articles (migration 0012)", total or 0)
        conn = session.connection()
        while True:
            batch = stories.unindexed_articles(conn, after, upto, BATCH)
            for article_id, body in batch:
                prints = prints_of(body)
                fill = Counter(h for h, _ in stories.postings(conn, prints))
                stories.save_prints(conn, article_id, prints, fill, MAX_POSTINGS)
            done += len(batch)
            after = batch[-1][0] if batch else upto
            set_setting(session, BACKFILL_KEY, {"after": after, "upto": upto} if batch else None)
            session.commit()
            conn = session.connection()
            if not batch:
                break
            log.info("story index: %d/%d articles", done, total or done)
    log.info("story index built for %d articles", done)
    return done
