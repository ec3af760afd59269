"""Daily digests: which stories of a Beijing day each digest subscriber gets, queued as delivery rows.

`queue_digests` is the one call the `newsradar digest` command, the daemon and the web make; the
rows it writes are sent by the dispatcher like any alert (storage.deliveries).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import (
    BEIJING,
    Article,
    Channel,
    Story,
    StoryTopic,
    Subscriber,
    Subscription,
    Watch,
    WatchMatch,
    utcnow,
)
from storage.deliveries import insert_new

from .audience import DIGEST_MODES, StoryText, covers, story_texts

__all__ = [
    "DigestPlan",
    "DigestQueue",
    "day_stories",
    "enqueue_digests",
    "plan_digests",
    "queue_digests",
]


@dataclass
class DigestPlan:
    """What one subscriber's digest of one day says: (story id, topic ids) in display order;
    ``watches``: story id -> the subscriber's watches it matched (listed after the topics' stories)."""

    subscriber_id: int
    subscriber_name: str
    channels: list[tuple[int, str, str]]  # (channel id, kind, address), active ones
    items: list[tuple[int, list[str]]] = field(default_factory=list)
    watches: dict[int, list[int]] = field(default_factory=dict)

    @property
    def topics(self) -> list[str]:
        return sorted({t for _, ts in self.items for t in ts})


def day_stories(session: Session, day: date, tz: tzinfo = BEIJING) -> dict[int, datetime]:
    """Stories of a Beijing day -> when they were first published.

    A story belongs to the day its earliest copy was published (so each story is in one digest
    however many copies follow); a story with no dated copy, to the day it was first seen.
    """
    start = datetime.combine(day, time(0), tzinfo=tz)  # the day in the subscribers' zone
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    touched = select(Article.story_id).where(
        Article.published_at >= start, Article.published_at < end, Article.story_id.is_not(None)
    )
    first = func.min(Article.published_at)
    out: dict[int, datetime] = {
        sid: when
        for sid, when in session.execute(
            select(Article.story_id, first)
            .where(Article.story_id.in_(touched))
            .group_by(Article.story_id)
            .having(first >= start, first < end)
        )
    }
    dated = select(Article.story_id).where(Article.published_at.is_not(None), Article.story_id.is_not(None))
    for sid, created in session.execute(
        select(Story.id, Story.created_at).where(
            Story.created_at >= start, Story.created_at < end, Story.id.not_in(dated)
        )
    ):
        out[sid] = created
    return out


def plan_digests(
    session: Session,
    day: date,
    *,
    topic_order: Sequence[str] = (),
    include_empty: bool = False,
    tz: tzinfo = BEIJING,
) -> list[DigestPlan]:
    """Each active digest subscriber's stories of `day` (Beijing), matched as alerts are.

    A story counts for a subscriber when one of its topics is followed and the subscription's
    sources / keywords narrowing accepts it (audience.covers, as for instant alerts). Items are grouped
    by topic (in `topic_order`, then by id), newest first inside a group; a story with several
    followed topics is listed once, under the first. Subscribers with nothing get a plan only
    with include_empty (a "no matching news" digest); paused ones and ones without an active
    channel get none. Stories the subscriber's active watches matched (storage's watch_matches)
    are listed too: under their topics when they have one, else after the topics, by watch.
    """
    order = {t: i for i, t in enumerate(topic_order)}
    stories = day_stories(session, day, tz)
    story_topics: dict[int, set[str]] = defaultdict(set)
    if stories:
        for sid, topic in session.execute(
            select(StoryTopic.story_id, StoryTopic.topic_id).where(StoryTopic.story_id.in_(list(stories)))
        ):
            story_topics[sid].add(topic)
    subs, names = _digest_subscribers(session)
    watched = _watched(session, list(stories))
    if not subs:
        return []
    channels: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for ch in session.scalars(
        select(Channel)
        .where(Channel.subscriber_id.in_(list(subs)), Channel.active.is_(True))
        .order_by(Channel.id)
    ):
        channels[ch.subscriber_id].append((ch.id, ch.kind, ch.address))
    texts: dict[int, list[StoryText]] = {}

    def articles(story_id: int) -> list[StoryText]:
        if story_id not in texts:
            texts[story_id] = story_texts(session, story_id)
        return texts[story_id]

    def topic_key(topic: str) -> tuple[int, str]:
        return (order.get(topic, len(order)), topic)

    newest = sorted(stories, key=lambda sid: (stories[sid], sid), reverse=True)
    plans = []
    for sid in sorted(subs):
        if not channels.get(sid):
            continue
        wanted = subs[sid]
        items: list[tuple[int, list[str]]] = []
        story_watches: dict[int, list[int]] = {}
        for story_id in newest:
            topics = story_topics.get(story_id, set())
            matched = [
                s.topic_id
                for s in wanted
                if s.topic_id in topics and covers(s, articles(story_id) if (s.sources or s.keywords) else [])
            ]
            by_watch = watched.get((sid, story_id), [])
            if matched or by_watch:
                items.append((story_id, sorted(set(matched), key=topic_key)))
            if by_watch:
                story_watches[story_id] = by_watch
        # stable: newest first inside a topic; stories only watches found follow, by watch
        last = len(order) + 1
        items.sort(key=lambda it: topic_key(it[1][0]) if it[1] else (last, f"{story_watches[it[0]][0]:012d}"))
        if items or include_empty:
            plans.append(DigestPlan(sid, names.get(sid, ""), channels[sid], items, story_watches))
    return plans


def _digest_subscribers(session: Session) -> tuple[dict[int, list[Subscription]], dict[int, str]]:
    """Active digest subscribers with their subscriptions (none for those with only watches), and names."""
    subs: dict[int, list[Subscription]] = defaultdict(list)
    names: dict[int, str] = {}
    for subscription, name in session.execute(
        select(Subscription, Subscriber.name)
        .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
        .where(Subscriber.paused.is_(False), Subscriber.mode.in_(DIGEST_MODES))
        .order_by(Subscription.subscriber_id, Subscription.id)
    ):
        subs[subscription.subscriber_id].append(subscription)
        names[subscription.subscriber_id] = name or ""
    for sid, name in session.execute(
        select(Subscriber.id, Subscriber.name).where(
            Subscriber.id.in_(select(Watch.subscriber_id).where(Watch.active.is_(True))),
            Subscriber.paused.is_(False),
            Subscriber.mode.in_(DIGEST_MODES),
        )
    ):
        subs.setdefault(sid, [])
        names[sid] = name or ""
    return subs, names


def _watched(session: Session, story_ids: list[int]) -> dict[tuple[int, int], list[int]]:
    """(subscriber id, story id) -> the subscriber's active watches that matched the story."""
    out: dict[tuple[int, int], list[int]] = defaultdict(list)
    if not story_ids:
        return out
    for sub, story, wid in session.execute(
        select(Watch.subscriber_id, WatchMatch.story_id, Watch.id)
        .join(WatchMatch, WatchMatch.watch_id == Watch.id)
        .where(WatchMatch.story_id.in_(story_ids), Watch.active.is_(True))
        .order_by(Watch.id)
    ):
        out[(sub, story)].append(wid)
    return out


def enqueue_digests(session: Session, day: date, plans: Sequence[DigestPlan]) -> int:
    """Write one digest row per plan and channel (no commit); returns rows written.

    Unique on (subscriber, channel, day) with ON CONFLICT DO NOTHING: a second run, or two at
    once, queue nothing more, and the stories of a queued digest never change.
    """
    now = utcnow()
    values: list[dict[str, Any]] = [
        dict(
            kind="digest",
            subscriber_id=plan.subscriber_id,
            story_id=None,
            channel_id=cid,
            digest_day=day,
            digest_items=[
                [story_id, topics, plan.watches[story_id]] if story_id in plan.watches else [story_id, topics]
                for story_id, topics in plan.items
            ],
            digest_progress=0,
            status="pending",
            topics=plan.topics,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )  # fmt: skip
        for plan in plans
        for cid, _, _ in plan.channels
    ]
    return insert_new(session, values, ["subscriber_id", "channel_id", "digest_day"])


@dataclass
class DigestQueue:
    """What `queue_digests` did for one day: the plans, and how many rows it wrote (0 on a dry run)."""

    day: date
    plans: list[DigestPlan]
    queued: int = 0
    titles: dict[int, str] = field(default_factory=dict)  # story id -> lead title, on a dry run

    @property
    def channels(self) -> int:
        """Digests due: one per plan and active channel (queued ones plus those queued before)."""
        return sum(len(p.channels) for p in self.plans)


def queue_digests(
    session: Session,
    day: date,
    *,
    topic_order: Sequence[str] = (),
    include_empty: bool = False,
    dry_run: bool = False,
    tz: tzinfo = BEIJING,
    subscribers: Collection[int] | None = None,
) -> DigestQueue:
    """Plan the digests of `day` (a calendar day in `tz`) and queue them (commits); a dry run
    queues nothing and returns each planned story's lead title instead, so a person can see who
    would get what. `subscribers`: only these (the daemon queues each zone's when it is due)."""
    plans = plan_digests(session, day, topic_order=topic_order, include_empty=include_empty, tz=tz)
    if subscribers is not None:
        plans = [p for p in plans if p.subscriber_id in subscribers]
    if dry_run:
        from storage.story_views import story_summary

        ids = {story_id for plan in plans for story_id, _ in plan.items}
        titles = {sid: (story_summary(session, sid)["lead"] or {}).get("title") or "" for sid in sorted(ids)}
        return DigestQueue(day, plans, 0, titles)
    queued = enqueue_digests(session, day, plans)
    session.commit()
    return DigestQueue(day, plans, queued)
