"""Who follows what: subscriber modes and the sources / keywords narrowing of a subscription.

Shared by instant fan-out (processor.fanout) and digest planning (processor.digests), so a story
reaches a subscriber by the same rule in both.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import Article, Subscription

__all__ = ["DIGEST_MODES", "INSTANT_MODES", "StoryText", "covers", "story_texts"]

INSTANT_MODES = ("instant", "both")
DIGEST_MODES = ("digest", "both")

StoryText = tuple[str, str, str]  # (source, title, body) of one article of a story


def covers(sub: Subscription, articles: Sequence[StoryText]) -> bool:
    """Does a narrowed subscription (sources / keywords) accept this story's articles?"""
    rows = articles
    if sub.sources:
        wanted = set(sub.sources)
        rows = [a for a in rows if a[0] in wanted]
        if not rows:
            return False
    if sub.keywords:
        words = [k.lower() for k in sub.keywords if k]
        return any(w in f"{title}\n{body}".lower() for _, title, body in rows for w in words)
    return True


def story_texts(session: Session, story_id: int) -> list[StoryText]:
    """(source, title, body) of every article of a story: what `covers` reads."""
    return [
        (a.source, a.title or "", a.body_text or "")
        for a in session.execute(
            select(Article.source, Article.title, Article.body_text).where(Article.story_id == story_id)
        )
    ]
