"""Per-topic counters: the topic page's day chart, per-source counts and total without reading the
topic's stories.

Counted straight, each of these figures reads every story (or every copy) of the topic, so a
topic page grew slower with its topic (issue 20: ~20 ms each at 30k articles). The counters hold
exactly what those counts give and are read by primary key:

- `topic_days(topic_id, day, stories)`: the topic's stories per Beijing day of `stories.sort_at`
  (the time a story is listed by); the topic's total is their sum (one row per day with stories).
- `topic_sources(topic_id, source, articles)`: the articles (copies) per source among the topic's
  stories.

storage.stories keeps them in step in the transaction that writes what they count (a story gaining
a topic, a copy joining a story, a story's sort_at moving to another day, a copy's source
changing); rows reaching zero are deleted. Migration 0021 fills them from the stored stories.
A story without sort_at (a row written outside storage.stories) is on no day. On PostgreSQL,
writers storing stories of one topic and day at once wait for each other on that row until the
first commits (storage.stories writes a statement's rows in key order).

The topic's newest stories need no counter: story_topics keeps its story's sort_at (also kept by
storage.stories), indexed after the topic, so storage.archive reads them in index order.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base

__all__ = ["TopicDay", "TopicSource", "day_counts", "latest_day", "source_counts", "story_total"]


class TopicDay(Base):
    """Stories of a topic per Beijing day of their sort_at (kept by storage.stories)."""

    __tablename__ = "topic_days"

    topic_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    stories: Mapped[int] = mapped_column(Integer)

    __table_args__ = ({"sqlite_with_rowid": False},)


class TopicSource(Base):
    """Articles per source among a topic's stories (kept by storage.stories)."""

    __tablename__ = "topic_sources"

    topic_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    articles: Mapped[int] = mapped_column(Integer)

    __table_args__ = ({"sqlite_with_rowid": False},)


def latest_day(session: Session, topic: str) -> date | None:
    """The Beijing day of the topic's newest story (one primary-key lookup)."""
    return session.scalar(select(func.max(TopicDay.day)).where(TopicDay.topic_id == topic))


def day_counts(session: Session, topic: str, first: date, last: date) -> dict[date, int]:
    """Day -> the topic's stories that day, for first <= day <= last (days without stories absent)."""
    rows = session.execute(
        select(TopicDay.day, TopicDay.stories).where(
            TopicDay.topic_id == topic, TopicDay.day >= first, TopicDay.day <= last
        )
    )
    return {d: n for d, n in rows}


def story_total(session: Session, topic: str, cap: int) -> int:
    """The topic's stories, counted up to `cap` (past it, `cap`): one row per day of the topic."""
    total = session.scalar(select(func.sum(TopicDay.stories)).where(TopicDay.topic_id == topic)) or 0
    return min(int(total), cap)


def source_counts(session: Session, topic: str) -> list[tuple[str, int]]:
    """Articles per source among the topic's stories, most first (then by source)."""
    rows = session.execute(
        select(TopicSource.source, TopicSource.articles)
        .where(TopicSource.topic_id == topic)
        .order_by(TopicSource.articles.desc(), TopicSource.source)
    )
    return [(s, n) for s, n in rows]
