"""Delivery outbox: alert rows written in the ingest transaction, before anything is sent.

Life of a row: ``pending`` -> (claimed by a dispatcher) ``sending`` -> ``sent``; a transient
failure puts it back to ``pending`` with a later ``next_attempt_at`` (exponential backoff) until
``max_attempts``, then ``dead``; a permanent failure (channel gone) makes it ``dead`` at once;
rows whose subscriber paused or whose channel was deactivated before sending become ``skipped``.

A claim is a lease: ``claimed_by`` + ``claimed_until``. A dispatcher that dies keeps its rows
until the lease expires, then any dispatcher may reclaim them. Every state change after the claim
is conditional on still holding the lease, so a row is marked sent at most once.

Exactly-once, and its one hole: a row is sent, then its ``sent`` mark is committed. If the
process dies (or the database refuses the commit) between the two, the row is still ``sending``
when its lease expires and is sent again. A request that times out after the server completed
it is the same case seen from the client (it is retried). That window is the only source of
duplicates; it lasts one network round trip plus one commit (tests/notifiers/README.md).

Daily digests are rows of the same table (``kind = "digest"``, no story, one per subscriber,
channel and Beijing day, unique), so they share all of the above. A digest split over several
messages records ``digest_progress`` after each part, so a retry sends only the parts not yet sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from .models import Article, Channel, Delivery, Story, StoryTopic, Subscriber, Subscription
from .types import BEIJING, utcnow

__all__ = [
    "DIGEST_MODES",
    "STATUSES",
    "DigestPlan",
    "backoff",
    "beijing_day",
    "claim",
    "enqueue",
    "enqueue_digests",
    "extend_lease",
    "mark_dead",
    "mark_progress",
    "mark_retry",
    "mark_sent",
    "mark_skipped",
    "pending_by_kind",
    "plan_digests",
    "release",
    "stats",
]

STATUSES = ("pending", "sending", "sent", "dead", "skipped")
INSTANT_MODES = ("instant", "both")
DIGEST_MODES = ("digest", "both")


def _insert(session: Session):
    """INSERT ... ON CONFLICT DO NOTHING for the session's dialect."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Delivery)


def _insert_new(session: Session, values: list[dict[str, Any]], unique: list[str]) -> int:
    """INSERT the rows, skipping those that clash on the `unique` columns; returns rows written."""
    if not values:
        return 0
    stmt = _insert(session).values(values).on_conflict_do_nothing(index_elements=unique)
    result = session.execute(stmt)
    return result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(values)


def _covers(sub: Subscription, articles: Sequence[tuple[str, str, str]]) -> bool:
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


def enqueue(session: Session, story: Story, new_topics: list[str]) -> int:
    """Queue alerts of this story for subscribers of the newly added topics; returns rows written.

    Runs inside the caller's transaction (no commit). A subscriber who already has a row for
    this story is skipped, so a story that gains a topic later does not alert them twice; the
    unique (subscriber, story, channel) key plus ON CONFLICT DO NOTHING keeps concurrent ingests safe.
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
    articles: list[tuple[str, str, str]] | None = None
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
            articles = [
                (a.source, a.title or "", a.body_text or "")
                for a in session.execute(
                    select(Article.source, Article.title, Article.body_text).where(
                        Article.story_id == story.id
                    )
                )
            ]
        topics = sorted({s.topic_id for s in wanted if _covers(s, articles or [])})
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
    return _insert_new(session, values, ["subscriber_id", "story_id", "channel_id"])


def _due(now: datetime):
    return or_(
        and_(Delivery.status == "pending", Delivery.next_attempt_at <= now),
        and_(Delivery.status == "sending", Delivery.claimed_until < now),
    )


def claim(
    session: Session,
    worker: str,
    *,
    lease: float,
    max_channels: int = 64,
    max_rows_per_channel: int = 50,
    exclude_channels: Collection[int] = (),
    exclude_kinds: Collection[str] = (),
    delivery_kinds: Collection[str] = (),
) -> list[int]:
    """Take due rows (pending and due, or sending with an expired lease) of a few channels; commits.

    Rows are claimed per channel so one chat's stories can be batched into one message.
    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent dispatchers never wait on each
    other. SQLite: one UPDATE statement, which takes the write lock before it reads, so two
    dispatchers serialise and the second sees the first one's claim. Call on a fresh session.
    `delivery_kinds` ("alert", "digest") limits the claim to those rows (`newsradar digest`).
    """
    now = utcnow()
    due = _due(now)
    if delivery_kinds:
        due = and_(due, Delivery.kind.in_(list(delivery_kinds)))
    chan = select(Delivery.channel_id).where(due)
    if exclude_channels:
        chan = chan.where(Delivery.channel_id.not_in(list(exclude_channels)))
    if exclude_kinds:
        chan = chan.where(
            Delivery.channel_id.not_in(select(Channel.id).where(Channel.kind.in_(list(exclude_kinds))))
        )
    chan = chan.group_by(Delivery.channel_id).order_by(func.min(Delivery.next_attempt_at)).limit(max_channels)
    rows = (
        select(Delivery.id)
        .where(due, Delivery.channel_id.in_(chan.scalar_subquery()))
        .order_by(Delivery.channel_id, Delivery.id)
        .limit(max_channels * max_rows_per_channel)
    )
    values = dict(
        status="sending",
        claimed_by=worker,
        claimed_until=now + timedelta(seconds=lease),
        attempts=Delivery.attempts + 1,
    )
    try:
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(rows.with_for_update(skip_locked=True)))
            if ids:
                session.execute(update(Delivery).where(Delivery.id.in_(ids)).values(**values))
        else:
            ids = list(
                session.scalars(
                    update(Delivery)
                    .where(Delivery.id.in_(rows.scalar_subquery()), due)
                    .values(**values)
                    .returning(Delivery.id)
                )
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return sorted(ids)


def _mine(ids: Collection[int], worker: str):
    return and_(Delivery.id.in_(list(ids)), Delivery.claimed_by == worker, Delivery.status == "sending")


def _update_mine(session: Session, ids: Collection[int], worker: str, **values: Any) -> int:
    """Set `values` on those of `ids` this worker still holds; commits; returns how many."""
    result = session.execute(update(Delivery).where(_mine(ids, worker)).values(**values))
    session.commit()
    return result.rowcount


def extend_lease(session: Session, worker: str, lease: float) -> int:
    """Push back the lease of every row this worker is still sending; commits."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.claimed_by == worker, Delivery.status == "sending")
        .values(claimed_until=utcnow() + timedelta(seconds=lease))
    )
    session.commit()
    return result.rowcount


def mark_sent(session: Session, ids: Collection[int], worker: str) -> int:
    """Record a completed send; returns how many rows were still ours (fewer means a lost lease)."""
    return _update_mine(
        session, ids, worker, status="sent", sent_at=utcnow(), claimed_until=None, last_error=None
    )


def mark_progress(session: Session, ids: Collection[int], worker: str, progress: int) -> int:
    """A digest part went out: its first `progress` stories are delivered; commits.

    The row stays ``sending``; a retry (or a dispatcher reclaiming it) sends only the rest.
    Returns how many rows were still ours (0: the lease was lost, stop sending this digest).
    """
    return _update_mine(session, ids, worker, digest_progress=progress)


def mark_dead(session: Session, ids: Collection[int], worker: str, error: str) -> int:
    """Give up on rows for good (permanent failure or attempts used up); commits."""
    return _update_mine(session, ids, worker, status="dead", claimed_until=None, last_error=error[:4000])


def mark_skipped(session: Session, ids: Collection[int], worker: str, reason: str) -> int:
    """Rows not worth sending any more (paused subscriber, inactive channel); commits."""
    return _update_mine(session, ids, worker, status="skipped", claimed_until=None, last_error=reason[:4000])


def release(
    session: Session, ids: Collection[int], worker: str, *, note: str | None = None, delay: float = 0.0
) -> int:
    """Hand back rows that were claimed but not tried (the attempt is not counted); commits."""
    values: dict[str, Any] = dict(
        status="pending", claimed_by=None, claimed_until=None, attempts=Delivery.attempts - 1
    )
    if delay > 0:
        values["next_attempt_at"] = utcnow() + timedelta(seconds=delay)
    if note is not None:
        values["last_error"] = note[:4000]
    return _update_mine(session, ids, worker, **values)


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after `attempts` failed ones: base, 2*base, 4*base ... capped."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


def mark_retry(
    session: Session,
    ids: Collection[int],
    worker: str,
    error: str,
    *,
    max_attempts: int,
    backoff_base: float,
    backoff_max: float,
    not_before: float = 0.0,
) -> tuple[int, int]:
    """A transient failure: back to pending with backoff, or dead once attempts are used up.

    Returns (retrying, dead). `not_before` is a server's retry_after in seconds, a lower bound.
    """
    rows = session.execute(select(Delivery.id, Delivery.attempts).where(_mine(ids, worker))).all()
    now = utcnow()
    retrying = dead = 0
    for row_id, attempts in rows:
        if attempts >= max_attempts:
            session.execute(
                update(Delivery)
                .where(Delivery.id == row_id)
                .values(
                    status="dead",
                    claimed_until=None,
                    last_error=f"gave up after {attempts} attempts: {error}"[:4000],
                )  # fmt: skip
            )
            dead += 1
        else:
            delay = max(not_before, backoff(attempts, backoff_base, backoff_max))
            session.execute(
                update(Delivery)
                .where(Delivery.id == row_id)
                .values(
                    status="pending",
                    claimed_by=None,
                    claimed_until=None,
                    last_error=error[:4000],
                    next_attempt_at=now + timedelta(seconds=delay),
                )  # fmt: skip
            )
            retrying += 1
    session.commit()
    return retrying, dead


def pending_by_kind(session: Session) -> dict[str, int]:
    """Pending rows per channel kind (to tell how many wait for an unconfigured kind)."""
    rows = session.execute(
        select(Channel.kind, func.count())
        .join(Delivery, Delivery.channel_id == Channel.id)
        .where(Delivery.status == "pending")
        .group_by(Channel.kind)
    )
    return {kind: n for kind, n in rows}


def stats(session: Session, *, dead_limit: int = 20) -> dict[str, Any]:
    """Counts for `newsradar status`: deliveries by status, inactive channels, latest dead rows."""
    by_status = dict.fromkeys(STATUSES, 0)
    for status, n in session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)):
        by_status[status] = n
    now = utcnow()
    due = session.scalar(select(func.count()).select_from(Delivery).where(_due(now))) or 0
    oldest = session.scalar(select(func.min(Delivery.created_at)).where(Delivery.status == "pending"))
    inactive = [
        dict(
            id=c.id,
            subscriber_id=c.subscriber_id,
            kind=c.kind,
            address=c.address,
            reason=c.deactivated_reason,
        )
        for c in session.scalars(select(Channel).where(Channel.active.is_(False)).order_by(Channel.id))
    ]
    dead = [
        dict(
            id=d.id,
            kind=d.kind,
            digest_day=d.digest_day.isoformat() if d.digest_day else None,
            subscriber_id=d.subscriber_id,
            story_id=d.story_id,
            channel_id=d.channel_id,
            attempts=d.attempts,
            error=d.last_error,
        )  # fmt: skip
        for d in session.scalars(
            select(Delivery).where(Delivery.status == "dead").order_by(Delivery.id.desc()).limit(dead_limit)
        )
    ]
    return dict(deliveries=by_status, due=due, oldest_pending=oldest, inactive_channels=inactive, dead=dead)


# -- daily digests ---------------------------------------------------------------------------


@dataclass
class DigestPlan:
    """What one subscriber's digest of one day says: (story id, topic ids) in display order."""

    subscriber_id: int
    subscriber_name: str
    channels: list[tuple[int, str, str]]  # (channel id, kind, address), active ones
    items: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def topics(self) -> list[str]:
        return sorted({t for _, ts in self.items for t in ts})


def beijing_day(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a Beijing calendar day, as aware datetimes."""
    start = datetime.combine(day, time(0), tzinfo=BEIJING)
    return start, start + timedelta(days=1)


def _day_stories(session: Session, day: date) -> dict[int, datetime]:
    """Stories of a Beijing day -> when they were first published.

    A story belongs to the day its earliest copy was published (so each story is in one digest
    however many copies follow); a story with no dated copy, to the day it was first seen.
    """
    start, end = beijing_day(day)
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
    session: Session, day: date, *, topic_order: Sequence[str] = (), include_empty: bool = False
) -> list[DigestPlan]:
    """Each active digest subscriber's stories of `day` (Beijing), matched as alerts are.

    A story counts for a subscriber when one of its topics is followed and the subscription's
    sources / keywords narrowing accepts it (_covers, as for instant alerts). Items are grouped
    by topic (in `topic_order`, then by id), newest first inside a group; a story with several
    followed topics is listed once, under the first. Subscribers with nothing get a plan only
    with include_empty (a "no matching news" digest); paused ones and ones without an active
    channel get none.
    """
    order = {t: i for i, t in enumerate(topic_order)}
    stories = _day_stories(session, day)
    story_topics: dict[int, set[str]] = defaultdict(set)
    if stories:
        for sid, topic in session.execute(
            select(StoryTopic.story_id, StoryTopic.topic_id).where(StoryTopic.story_id.in_(list(stories)))
        ):
            story_topics[sid].add(topic)
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
    if not subs:
        return []
    channels: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for ch in session.scalars(
        select(Channel)
        .where(Channel.subscriber_id.in_(list(subs)), Channel.active.is_(True))
        .order_by(Channel.id)
    ):
        channels[ch.subscriber_id].append((ch.id, ch.kind, ch.address))
    texts: dict[int, list[tuple[str, str, str]]] = {}

    def articles(story_id: int) -> list[tuple[str, str, str]]:
        if story_id not in texts:
            texts[story_id] = [
                (a.source, a.title or "", a.body_text or "")
                for a in session.execute(
                    select(Article.source, Article.title, Article.body_text).where(
                        Article.story_id == story_id
                    )
                )
            ]
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
        for story_id in newest:
            topics = story_topics.get(story_id, set())
            matched = [
                s.topic_id
                for s in wanted
                if s.topic_id in topics
                and _covers(s, articles(story_id) if (s.sources or s.keywords) else [])
            ]
            if matched:
                items.append((story_id, sorted(set(matched), key=topic_key)))
        items.sort(key=lambda item: topic_key(item[1][0]))  # stable: newest first inside a topic
        if items or include_empty:
            plans.append(DigestPlan(sid, names.get(sid, ""), channels[sid], items))
    return plans


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
            digest_items=[[story_id, topics] for story_id, topics in plan.items],
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
    return _insert_new(session, values, ["subscriber_id", "channel_id", "digest_day"])
