"""Stories as plain data: the summaries the CLI, alerts, digests and the web archive show, and
the story queries by topic and time they list them with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common import iso_time

from .models import Article, Story, StoryTopic

__all__ = ["jsonable", "list_stories", "stories_with_topics", "story_summary", "summaries"]


def story_summary(session: Session, story_id: int) -> dict[str, Any]:
    """One story as plain data for the CLI, the alerts and the web archive (datetimes aware UTC).

    Articles come lead first, then in lead order (tier, published time, id). Raises KeyError
    for an unknown id, so callers can tell "no such story" from an empty one.
    """
    story = session.get(Story, story_id)
    if story is None:
        raise KeyError(f"no story {story_id}")
    return summaries(session, [story])[0]


def summaries(session: Session, stories: list[Story]) -> list[dict[str, Any]]:
    """Stories as plain data in one query each for articles and topics (lists, pages, digests)."""
    ids = [s.id for s in stories]
    by_story: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in session.execute(
        select(
            Article.id,
            Article.title,
            Article.url,
            Article.source,
            Article.origin,
            Article.published_at,
            Article.fetched_at,
            Article.tier,
            Article.story_id,
        )
        .where(Article.story_id.in_(ids))
        # lead order (processor.stories.lead_rank): most official, earliest published, lowest id
        .order_by(Article.tier, Article.published_at.is_(None), Article.published_at, Article.id)
    ):
        by_story[row.story_id].append(
            {
                "id": row.id,
                "title": row.title,
                "url": row.url,
                "source": row.source,
                "origin": row.origin,
                "published_at": row.published_at,
                "fetched_at": row.fetched_at,
                "tier": row.tier,
            }
        )
    topics: dict[int, list[str]] = {i: [] for i in ids}
    for sid, topic in session.execute(
        select(StoryTopic.story_id, StoryTopic.topic_id)
        .where(StoryTopic.story_id.in_(ids))
        .order_by(StoryTopic.topic_id)
    ):
        topics[sid].append(topic)
    out = []
    for story in stories:
        articles = by_story[story.id]
        lead = next(
            (a for a in articles if a["id"] == story.lead_article_id), articles[0] if articles else None
        )
        if lead is not None:
            articles.remove(lead)
            articles.insert(0, lead)
        sources: list[str] = []
        for a in articles:
            if a["source"] not in sources:
                sources.append(a["source"])
        dates = [a["published_at"] for a in articles if a["published_at"] is not None]
        out.append(
            {
                "id": story.id,
                "lead": None
                if lead is None
                else {k: lead[k] for k in ("id", "title", "url", "source", "published_at")},
                "articles": articles,
                "sources": sources,
                "topics": topics[story.id],
                "first_published_at": min(dates) if dates else None,
                # when no copy gives a date: when we first fetched it (what stories are sorted by)
                "first_fetched_at": min((a["fetched_at"] for a in articles), default=None),
                "created_at": story.created_at,
                "updated_at": story.updated_at,
            }
        )
    return out


def _first_seen():
    """(story_id, at): a story's first publication, or its first fetch when no copy has a date."""
    return (
        select(
            Article.story_id,
            func.coalesce(func.min(Article.published_at), func.min(Article.fetched_at)).label("at"),
        )
        .group_by(Article.story_id)
        .subquery()
    )


def stories_with_topics(session: Session, topics: list[str], since: datetime | None = None) -> list[int]:
    """Ids of stored stories carrying any of the topics (first seen on or after `since`), oldest first."""
    first = _first_seen()
    query = (
        select(Story.id)
        .join(first, first.c.story_id == Story.id)
        .where(Story.id.in_(select(StoryTopic.story_id).where(StoryTopic.topic_id.in_(topics))))
        .order_by(first.c.at, Story.id)
    )
    if since is not None:
        query = query.where(first.c.at >= since)
    return list(session.scalars(query))


def list_stories(
    session: Session, *, since: datetime | None = None, limit: int | None = 50
) -> list[dict[str, Any]]:
    """Stories newest first by their first publication (the first fetch, when no copy has a date):
    the time `stories list` shows, so an undated story sits where it was found, not on top."""
    first = _first_seen()
    when = first.c.at
    query = select(Story).join(first, first.c.story_id == Story.id).order_by(when.desc(), Story.id.desc())
    if limit:
        query = query.limit(limit)
    if since is not None:
        query = query.where(when >= since)
    return summaries(session, list(session.scalars(query)))


def jsonable(value: Any) -> Any:
    """A story summary (or any plain data) for JSON: datetimes become Beijing-time ISO 8601
    strings (+08:00), recursively."""
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value
