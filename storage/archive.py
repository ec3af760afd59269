"""Read-side queries of the web archive: filtered story and article pages, per-day counts,
evidence lines, digests as queued, and the admin's outbox views.

Pages use offsets (page N of M); the API uses keyset cursors (the sort key of the last row),
which stay correct while a crawl inserts rows. Both share one filter builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from . import topic_counts
from .models import Article, ArticleRevision, Channel, Delivery, Story, StoryTopic, TopicMatch
from .story_views import summaries
from .types import to_beijing, utcnow

__all__ = [
    "TOTAL_CAP",
    "StoryFilter",
    "article_revisions",
    "article_with_details",
    "daily_counts",
    "deliveries",
    "digests_of",
    "evidence_lines",
    "evidence_per_topic",
    "list_articles_page",
    "list_story_page",
    "requeue",
    "source_counts",
    "story_matches",
    "total_capped",
]


@dataclass(frozen=True)
class StoryFilter:
    """What the home page, the topic page and the API filter stories by (all optional)."""

    topic: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    matched_only: bool = True  # stories that matched at least one topic


# A page's total counts at most this many stories: past it, "TOTAL_CAP+" (an exact count reads
# every matched story, which at a million articles is what made the home page slow).
TOTAL_CAP = 10_000


def _story_when():
    return Story.sort_at  # earliest published_at of the copies, else created_at (storage.stories)


def _story_query(f: StoryFilter):
    """(query, sort time, tie-break id): a topic's stories are listed by story_topics' copy of
    sort_at, an index read of that topic's newest rather than a sort of all its stories."""
    when, key = _story_when(), Story.id
    q = select(Story)
    if f.topic:
        when, key = StoryTopic.sort_at, StoryTopic.story_id  # equal to the story's (storage.stories)
        q = q.join(StoryTopic, (StoryTopic.story_id == Story.id) & (StoryTopic.topic_id == f.topic))
    elif f.matched_only:
        # correlated: probed per story in sort_at order (by story_topics' primary key), so
        # ORDER BY ... LIMIT stops early instead of reading every story_topics row first
        q = q.where(select(StoryTopic.story_id).where(StoryTopic.story_id == Story.id).exists())
    if f.source:
        q = q.where(Story.id.in_(select(Article.story_id).where(Article.source == f.source)))
    if f.since is not None:
        q = q.where(when >= f.since)
    if f.until is not None:
        q = q.where(when < f.until)
    return q, when, key


def list_story_page(
    session: Session,
    f: StoryFilter,
    *,
    limit: int = 20,
    offset: int = 0,
    after: tuple[datetime, int] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """(story summaries newest first, total matching); `after` is a keyset cursor (when, id).

    The total is exact up to TOTAL_CAP; beyond it TOTAL_CAP + 1 is returned (a lower bound:
    see :func:`total_capped`)."""
    q, when, key = _story_query(f)
    if f.topic and f.source is None and f.since is None and f.until is None:
        total = topic_counts.story_total(session, f.topic, TOTAL_CAP + 1)  # kept per topic and day
    else:
        counted = q.with_only_columns(Story.id).order_by(when.desc(), key.desc()).limit(TOTAL_CAP + 1)
        counted = counted.subquery()  # in index order: the count stops after TOTAL_CAP + 1 rows
        total = session.scalar(select(func.count()).select_from(counted)) or 0
    if after is not None:
        at, sid = after
        q = q.where((when < at) | ((when == at) & (key < sid)))
    q = q.order_by(when.desc(), key.desc()).limit(limit).offset(offset)
    stories = list(session.scalars(q))
    listed = summaries(session, stories)
    for story, s in zip(stories, listed, strict=True):
        lead = s["lead"] or {}
        s["sort_key"] = story.sort_at or lead.get("published_at") or s["created_at"]
    return listed, total


def total_capped(total: int) -> bool:
    """Whether a total from :func:`list_story_page` is a lower bound (more stories matched)."""
    return total > TOTAL_CAP


def evidence_lines(session: Session, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per story the best evidence (lead article's match first, then the highest score):
    {"topic", "evidence", "spans"}; stories without evidence are absent."""
    if not story_ids:
        return {}
    rows = session.execute(
        select(
            Article.story_id,
            TopicMatch.article_id,
            TopicMatch.topic_id,
            TopicMatch.score,
            TopicMatch.evidence,
            TopicMatch.spans,
            Story.lead_article_id,
        )
        .join(Article, Article.id == TopicMatch.article_id)
        .join(Story, Story.id == Article.story_id)
        .where(Article.story_id.in_(list(story_ids)), TopicMatch.evidence != "")
    ).all()
    best: dict[int, Any] = {}
    for r in rows:
        key = (r.article_id == r.lead_article_id, r.score)
        if r.story_id not in best or key > best[r.story_id][0]:
            best[r.story_id] = (key, r)
    return {
        sid: {"topic": r.topic_id, "evidence": r.evidence, "spans": _spans(r.spans, len(r.evidence))}
        for sid, (_, r) in best.items()
    }


def _spans(raw: Any, length: int) -> list[tuple[int, int]]:
    out = []
    for s in raw or []:
        try:
            a, b = int(s[0]), int(s[1])
        except (TypeError, ValueError, IndexError):
            continue
        if 0 <= a < b <= length:
            out.append((a, b))
    return sorted(out)


def story_matches(session: Session, story_id: int) -> list[TopicMatch]:
    """Every topic match of every copy of a story (evidence per topic on the story page)."""
    return list(
        session.scalars(
            select(TopicMatch)
            .join(Article, Article.id == TopicMatch.article_id)
            .where(Article.story_id == story_id)
            .order_by(TopicMatch.topic_id, TopicMatch.score.desc())
        )
    )


def evidence_per_topic(matches: Sequence[TopicMatch], lead_id: int | None) -> dict[str, dict[str, Any]]:
    """Each topic's evidence once, from :func:`story_matches`: the lead's match when it has one,
    else the best-scored copy's (copies say near-identical things), with how many copies matched:
    topic -> {"match": TopicMatch, "copies": int}."""
    per_topic: dict[str, list[TopicMatch]] = {}
    for m in matches:
        per_topic.setdefault(m.topic_id, []).append(m)
    return {
        tid: {"match": max(ms, key=lambda m: (m.article_id == lead_id, m.score)), "copies": len(ms)}
        for tid, ms in per_topic.items()
    }


def article_with_details(session: Session, article_id: int) -> Article | None:
    """One article with its matches and policy fields loaded."""
    return session.scalar(
        select(Article)
        .options(selectinload(Article.matches), selectinload(Article.policy))
        .where(Article.id == article_id)
    )


def article_revisions(session: Session, article_ids: Sequence[int]) -> list[ArticleRevision]:
    if not article_ids:
        return []
    return list(
        session.scalars(
            select(ArticleRevision)
            .where(ArticleRevision.article_id.in_(list(article_ids)))
            .order_by(ArticleRevision.replaced_at.desc())
        )
    )


def list_articles_page(
    session: Session,
    f: StoryFilter,
    *,
    limit: int = 20,
    after: tuple[datetime, int] | None = None,
) -> list[Article]:
    """Articles newest first by publication (fetch time when undated), keyset-paginated."""
    when = func.coalesce(Article.published_at, Article.fetched_at)
    q = select(Article).options(selectinload(Article.matches), selectinload(Article.policy))
    if f.topic:
        q = q.where(Article.id.in_(select(TopicMatch.article_id).where(TopicMatch.topic_id == f.topic)))
    if f.source:
        q = q.where(Article.source == f.source)
    if f.since is not None:
        q = q.where(when >= f.since)
    if f.until is not None:
        q = q.where(when < f.until)
    if after is not None:
        at, aid = after
        q = q.where((when < at) | ((when == at) & (Article.id < aid)))
    return list(session.scalars(q.order_by(when.desc(), Article.id.desc()).limit(limit)))


def daily_counts(
    session: Session, topic: str, *, days: int = 90, today: date | None = None
) -> list[tuple[date, int]]:
    """Stories of a topic per Beijing day of their sort_at over `days` days (zeros included),
    oldest first, read from the counters storage.stories keeps (storage.topic_counts).

    The window ends today, or on the day of the topic's latest story when that is older than
    the window (an archive of old news still shows its shape rather than an empty chart).
    """
    today = today or to_beijing(utcnow()).date()
    latest = topic_counts.latest_day(session, topic)
    if latest is not None and latest < today - timedelta(days=days - 1):
        today = latest
    first = today - timedelta(days=days - 1)
    counts = topic_counts.day_counts(session, topic, first, today)
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(days)]


def source_counts(session: Session, topic: str) -> list[tuple[str, int]]:
    """Articles per source among the topic's stories, most first (kept counters)."""
    return topic_counts.source_counts(session, topic)


def digests_of(session: Session, subscriber_id: int) -> list[Delivery]:
    """A subscriber's daily digests as queued (their stories fixed then), newest day first."""
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.subscriber_id == subscriber_id, Delivery.kind == "digest")
            .order_by(Delivery.digest_day.desc(), Delivery.id)
        )
    )


def deliveries(session: Session, status: str, *, limit: int = 100) -> list[tuple[Delivery, Channel]]:
    """Outbox rows in one status with their channel, newest first (the admin's view)."""
    return list(
        session.execute(
            select(Delivery, Channel)
            .join(Channel, Channel.id == Delivery.channel_id)
            .where(Delivery.status == status)
            .order_by(Delivery.id.desc())
            .limit(limit)
        ).all()
    )


def requeue(session: Session, ids: Sequence[int]) -> int:
    """Give dead rows a fresh set of attempts, due now (an admin's retry); returns rows changed."""
    if not ids:
        return 0
    result = session.execute(
        update(Delivery)
        .where(Delivery.id.in_(list(ids)), Delivery.status.in_(("dead", "pending")))
        .values(status="pending", attempts=0, next_attempt_at=utcnow(), claimed_by=None, claimed_until=None)
    )
    session.commit()
    return result.rowcount or 0
