"""Stories per topic per day: what the digest's counts and 14-day chart are drawn from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Article, StoryTopic, WatchMatch

__all__ = ["daily_topic_counts", "daily_watch_counts"]


def daily_topic_counts(
    session: Session, topics: Sequence[str], last_day: date, days: int, tz: tzinfo
) -> dict[str, list[int]]:
    """topic -> stories first published on each of the `days` local days ending with `last_day`
    (oldest first); a story counts on the day of its earliest dated copy, as in the digest."""
    return _daily(session, StoryTopic.topic_id, StoryTopic.story_id, topics, last_day, days, tz)


def daily_watch_counts(
    session: Session, watch_ids: Sequence[int], last_day: date, days: int, tz: tzinfo
) -> dict[int, list[int]]:
    """watch id -> stories it matched per local day, counted like :func:`daily_topic_counts`."""
    return _daily(session, WatchMatch.watch_id, WatchMatch.story_id, watch_ids, last_day, days, tz)


def _daily(session: Session, key, story, keys: Sequence, last_day: date, days: int, tz: tzinfo) -> dict:
    first_day = last_day - timedelta(days=days - 1)
    start = datetime.combine(first_day, time(0), tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)
    first = func.min(Article.published_at).label("first")
    per_story = (
        select(Article.story_id, first)
        .where(Article.story_id.is_not(None), Article.published_at.is_not(None))
        .group_by(Article.story_id)
        .having(first >= start, first < end)
        .subquery()
    )
    out: dict = {t: [0] * days for t in keys}
    counts: dict[tuple, int] = defaultdict(int)
    for topic, when in session.execute(
        select(key, per_story.c.first)
        .join(per_story, per_story.c.story_id == story)
        .where(key.in_(list(keys)))
    ):
        index = (when.astimezone(tz).date() - first_day).days
        if 0 <= index < days:
            counts[(topic, index)] += 1
    for (topic, index), n in counts.items():
        out[topic][index] = n
    return out
