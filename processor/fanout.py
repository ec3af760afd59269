"""Instant fan-out: which subscribers a story that gained topics or matched watches alerts, queued
as delivery rows: one row per story, subscriber and channel, naming every reason (topics, watches)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import Channel, Delivery, Story, StoryTopic, Subscriber, Subscription, utcnow
from storage.deliveries import insert_new
from storage.story_views import stories_with_topics
from storage.watches import record_matches

from .audience import INSTANT_MODES, StoryText, covers, story_texts

__all__ = ["backfill", "followed_topics", "queue_alerts"]

WatchHit = tuple[int, int]  # (watch id, subscriber id)


def followed_topics(session: Session) -> set[str]:
    """The topics some instant subscriber (not paused) follows: read once for a batch of ingests
    in one transaction, so an article whose new topics nobody follows costs no query."""
    return set(
        session.scalars(
            select(Subscription.topic_id)
            .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
            .where(Subscriber.paused.is_(False), Subscriber.mode.in_(INSTANT_MODES))
            .distinct()
        )
    )


def _topic_reasons(
    session: Session,
    story: Story,
    new_topics: list[str],
    only: int | None,
    followed: Collection[str] | None = None,
) -> dict[int, list[str]]:
    """Topics per instant subscriber (not paused) that follows one of them and whose narrowing
    (sources / keywords) accepts the story."""
    if not new_topics or (followed is not None and not any(t in followed for t in new_topics)):
        return {}
    subs = session.execute(
        select(Subscription)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(
            Subscription.topic_id.in_(new_topics),
            Subscriber.paused.is_(False),
            Subscriber.mode.in_(INSTANT_MODES),
            *([Subscription.subscriber_id == only] if only is not None else []),
        )
    ).scalars()
    by_subscriber: dict[int, list[Subscription]] = defaultdict(list)
    for s in subs:
        by_subscriber[s.subscriber_id].append(s)
    articles: list[StoryText] | None = None
    out: dict[int, list[str]] = {}
    for sid, wanted in by_subscriber.items():
        if articles is None and any(s.sources or s.keywords for s in wanted):
            articles = story_texts(session, story.id)
        topics = sorted({s.topic_id for s in wanted if covers(s, articles or [])})
        if topics:
            out[sid] = topics
    return out


def _watch_reasons(session: Session, watches: Sequence[WatchHit], only: int | None) -> dict[int, list[int]]:
    """Watch ids per instant subscriber (not paused) among the watches the story matched."""
    wanted = {sub for _, sub in watches if only is None or sub == only}
    if not wanted:
        return {}
    instant = set(
        session.scalars(
            select(Subscriber.id).where(
                Subscriber.id.in_(sorted(wanted)),
                Subscriber.paused.is_(False),
                Subscriber.mode.in_(INSTANT_MODES),
            )
        )
    )
    out: dict[int, list[int]] = defaultdict(list)
    for wid, sub in sorted(watches):
        if sub in instant:
            out[sub].append(wid)
    return dict(out)


def queue_alerts(
    session: Session,
    story: Story,
    new_topics: list[str],
    *,
    only: int | None = None,
    watches: Sequence[WatchHit] = (),
    followed: Collection[str] | None = None,
) -> int:
    """Queue alerts of this story for subscribers of the newly added topics and of the watches it
    matched (recorded for counts and digests); returns rows written.

    Once per story and subscriber: a subscriber reached by a topic and two watches gets one row per
    channel naming all three, and a subscriber who already has a row for this story is skipped, so a
    story that gains a topic or a watch later does not alert them twice. Runs inside the caller's
    transaction (no commit); the unique (subscriber, story, channel) key plus ON CONFLICT DO NOTHING
    keeps concurrent ingests safe. `only` limits it to one subscriber (a backfill). `followed`:
    followed_topics() read earlier in the same transaction, when the caller has it.
    """
    if watches:
        record_matches(session, story.id, [w for w, _ in watches])
    topics = _topic_reasons(session, story, new_topics, only, followed)
    watched = _watch_reasons(session, watches, only)
    reached = sorted(topics.keys() | watched.keys())
    if not reached:
        return 0
    already = set(
        session.scalars(
            select(Delivery.subscriber_id).where(
                Delivery.story_id == story.id, Delivery.subscriber_id.in_(reached)
            )
        )
    )
    channels: dict[int, list[int]] = defaultdict(list)
    for sid, cid in session.execute(
        select(Channel.subscriber_id, Channel.id).where(
            Channel.subscriber_id.in_(reached), Channel.active.is_(True)
        )
    ):
        channels[sid].append(cid)
    now = utcnow()
    values: list[dict[str, Any]] = []
    for sid in reached:
        if sid in already:
            continue
        for cid in sorted(channels.get(sid, ())):
            values.append(
                dict(
                    subscriber_id=sid, story_id=story.id, channel_id=cid, status="pending",
                    topics=topics.get(sid, []), watches=watched.get(sid, []), attempts=0,
                    next_attempt_at=now, created_at=now,
                )
            )  # fmt: skip
    return insert_new(session, values, ["subscriber_id", "story_id", "channel_id"])


def backfill(session: Session, subscriber_id: int, since: datetime | None) -> int:
    """Queue alerts for one subscriber about stories already stored (first seen since `since`) that
    match their topics, through the delivery queue like any alert; returns rows written (no commit).
    Running it again queues nothing more: a story already queued for them is skipped."""
    topics = sorted(
        set(session.scalars(select(Subscription.topic_id).where(Subscription.subscriber_id == subscriber_id)))
    )
    written = 0
    for story_id in stories_with_topics(session, topics, since):
        story = session.get(Story, story_id)
        story_topics = set(
            session.scalars(select(StoryTopic.topic_id).where(StoryTopic.story_id == story_id))
        )
        written += queue_alerts(session, story, sorted(story_topics & set(topics)), only=subscriber_id)
    return written
