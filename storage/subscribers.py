"""Subscriber queries shared by the CLI, the bot and the web (sign-up, unsubscribe page).

Channel kinds are plain strings here; what a kind means is the notifiers' business.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import Channel, Delivery, Subscriber, Subscription, Watch
from .types import utcnow
from .watches import bump_watches_version

__all__ = [
    "MODES",
    "SubscriberError",
    "add_subscriber",
    "channel",
    "deactivate_channel",
    "get_subscriber",
    "list_subscribers",
    "remove_subscriber",
    "set_paused",
    "subscribe",
    "subscriber_for_channel",
    "unsubscribe",
    "unsubscribe_channel",
    "update_subscriber",
]

MODES = ("instant", "digest", "both")


class SubscriberError(ValueError):
    """A request that cannot be honoured as asked (duplicate channel, unknown mode...)."""


def _loaded():
    return select(Subscriber).options(
        selectinload(Subscriber.channels), selectinload(Subscriber.subscriptions)
    )


def add_subscriber(
    session: Session,
    *,
    channels: Sequence[tuple[str, str]],
    topics: Iterable[str],
    name: str = "",
    mode: str = "both",
    sources: Sequence[str] = (),
    keywords: Sequence[str] = (),
    timezone: str | None = None,
    digest_time: str | None = None,
) -> Subscriber:
    """Create a subscriber with its channels and subscriptions; a channel may belong to one subscriber only."""
    if mode not in MODES:
        raise SubscriberError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not channels:
        raise SubscriberError("a subscriber needs at least one channel")
    for kind, address in channels:
        taken = channel(session, kind, address)
        if taken is not None:
            raise SubscriberError(f"{kind} {address} is already used by subscriber {taken.subscriber_id}")
    sub = Subscriber(name=name, mode=mode, paused=False, timezone=timezone, digest_time=digest_time)
    sub.channels = [Channel(kind=k, address=a, active=True) for k, a in dict.fromkeys(channels)]
    sub.subscriptions = [
        Subscription(topic_id=t, sources=list(sources), keywords=list(keywords))
        for t in dict.fromkeys(topics)
    ]
    session.add(sub)
    session.flush()
    return sub


def update_subscriber(session: Session, subscriber_id: int, **values: object) -> Subscriber | None:
    """Change name, mode, timezone or digest_time (None values are left alone; "" clears the zone or
    time back to the [digest] default); None if there is no such subscriber."""
    sub = session.get(Subscriber, subscriber_id)
    if sub is None:
        return None
    if values.get("mode") is not None and values["mode"] not in MODES:
        raise SubscriberError(f"mode must be one of {', '.join(MODES)}, not {values['mode']!r}")
    for key in ("name", "mode", "timezone", "digest_time"):
        if values.get(key) is not None:
            setattr(sub, key, values[key] or None if key in ("timezone", "digest_time") else values[key])
    session.flush()
    return sub


def get_subscriber(session: Session, subscriber_id: int) -> Subscriber | None:
    return session.scalar(_loaded().where(Subscriber.id == subscriber_id))


def list_subscribers(session: Session) -> list[Subscriber]:
    return list(session.scalars(_loaded().order_by(Subscriber.id)))


def remove_subscriber(session: Session, subscriber_id: int) -> bool:
    """Delete a subscriber with channels, subscriptions, watches and outbox rows; False if there
    was none."""
    sub = session.get(Subscriber, subscriber_id)
    if sub is None:
        return False
    if session.scalar(select(Watch.id).where(Watch.subscriber_id == subscriber_id).limit(1)) is not None:
        bump_watches_version(session)  # the database cascades the delete to them: a watch write
    # Bulk delete: the ORM would otherwise try to null the non-nullable foreign keys.
    session.execute(Delivery.__table__.delete().where(Delivery.subscriber_id == subscriber_id))
    session.delete(sub)
    session.flush()
    return True


def set_paused(session: Session, subscriber_id: int, paused: bool) -> bool:
    sub = session.get(Subscriber, subscriber_id)
    if sub is None:
        return False
    sub.paused = paused
    session.flush()
    return True


def channel(session: Session, kind: str, address: str) -> Channel | None:
    return session.scalar(select(Channel).where(Channel.kind == kind, Channel.address == address))


def subscriber_for_channel(session: Session, kind: str, address: str, *, name: str = "") -> Subscriber:
    """The subscriber owning this channel, created (no topics yet) on first contact; reactivates it."""
    ch = channel(session, kind, address)
    if ch is not None:
        if not ch.active:
            ch.active, ch.deactivated_reason = True, None
        return session.scalar(_loaded().where(Subscriber.id == ch.subscriber_id))
    sub = Subscriber(name=name, mode="both", paused=False)
    sub.channels = [Channel(kind=kind, address=address, active=True)]
    sub.subscriptions = []
    session.add(sub)
    session.flush()
    return sub


def subscribe(session: Session, subscriber_id: int, topic_id: str) -> bool:
    """Follow a topic; False when already followed."""
    exists = session.scalar(
        select(Subscription.id).where(
            Subscription.subscriber_id == subscriber_id, Subscription.topic_id == topic_id
        )
    )
    if exists is not None:
        return False
    session.add(Subscription(subscriber_id=subscriber_id, topic_id=topic_id, sources=[], keywords=[]))
    session.flush()
    return True


def unsubscribe(session: Session, subscriber_id: int, topic_id: str) -> bool:
    """Stop following a topic; False when it was not followed."""
    row = session.scalar(
        select(Subscription).where(
            Subscription.subscriber_id == subscriber_id, Subscription.topic_id == topic_id
        )
    )
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def deactivate_channel(session: Session, channel_id: int, reason: str) -> bool:
    """Stop using a channel (blocked bot, unknown address, unsubscribe link); True if it was active."""
    ch = session.get(Channel, channel_id)
    if ch is None or not ch.active:
        return False
    ch.active = False
    ch.deactivated_reason = f"{utcnow():%Y-%m-%d %H:%M} UTC: {reason}"[:2000]
    session.flush()
    return True


def unsubscribe_channel(session: Session, channel_id: int) -> bool:
    """What a one-click unsubscribe link does: that channel stops receiving alerts."""
    return deactivate_channel(session, channel_id, "unsubscribed by the recipient")
