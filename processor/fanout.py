"""Instant fan-out: which subscribers a story that gained topics alerts, queued as delivery rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import Channel, Delivery, Story, StoryTopic, Subscriber, Subscription, utcnow
from storage.deliveries import insert_new
from storage.story_views import stories_with_topics

from .audience import INSTANT_MODES, StoryText, covers, story_texts

__all__ = ["backfill", "queue_alerts"]


def queue_alerts(session: Session, story: Story, new_topics: list[str], *, only: int | None = None) -> int:
    """Queue alerts of this story for subscribers of the newly added topics; returns rows written.

    Runs inside the caller's transaction (no commit). A subscriber who already has a row for
    this story is skipped, so a story that gains a topic later does not alert them twice; the
    unique (subscriber, story, channel) key plus ON CONFLICT DO NOTHING keeps concurrent ingests safe.
    `only` limits it to one subscriber (a backfill for someone who just subscribed).
    """
    if not new_topics:
        return 0
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
    if not by_subscriber:
        return 0
    already = set(
        session.scalars(
            select(Delivery.subscriber_id).where(
                Delivery.story_id == story.id, Delivery.subscriber_id.in_(list(by_subscriber))
            )
        )
    )
    articles: list[StoryText] | None = None
    channels: dict[int, list[int]] = defaultdict(list)
    for sid, cid in session.execute(
        select(Channel.subscriber_id, Channel.id).where(
            Channel.subscriber_id.in_(list(by_subscriber)), Channel.active.is_(True)
        )
    ):
        channels[sid].append(cid)
    now = utcnow()
    values: list[dict[str, Any]] = []
    for sid, wanted in sorted(by_subscriber.items()):
        if sid in already or not channels.get(sid):
            continue
        if articles is None and any(s.sources or s.keywords for s in wanted):
            articles = story_texts(session, story.id)
        topics = sorted({s.topic_id for s in wanted if covers(s, articles or [])})
        if not topics:
            continue
        for cid in sorted(channels[sid]):
            values.append(
                dict(
                    subscriber_id=sid,
                    story_id=story.id,
                    channel_id=cid,
                    status="pending",
                    topics=topics,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )  # fmt: skip
            )
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
