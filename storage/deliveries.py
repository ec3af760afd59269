"""The delivery queue (the outbox): alert and digest rows, written before anything is sent.

Who gets which row is decided above storage (processor.fanout for instant alerts,
processor.digests for daily digests); this module only inserts the rows it is handed and moves
them through their life.

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

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from . import counts
from .models import Channel, Delivery
from .types import utcnow

__all__ = [
    "EXACT_STATUSES",
    "STATUSES",
    "backoff",
    "claim",
    "extend_lease",
    "insert_new",
    "mark_dead",
    "mark_progress",
    "mark_retry",
    "mark_sent",
    "mark_skipped",
    "pending_by_kind",
    "release",
    "stats",
]

STATUSES = ("pending", "sending", "sent", "dead", "skipped")
EXACT_STATUSES = ("pending", "sending", "dead")  # `status` counts these exactly; the others up to a cap


def _insert(session: Session):
    """INSERT ... ON CONFLICT DO NOTHING for the session's dialect."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Delivery)


def insert_new(session: Session, values: list[dict[str, Any]], unique: list[str]) -> int:
    """INSERT delivery rows, skipping those that clash on the `unique` columns (no commit);
    returns rows written. Concurrent writers of the same rows are safe: the loser inserts nothing."""
    if not values:
        return 0
    stmt = _insert(session).values(values).on_conflict_do_nothing(index_elements=unique)
    # Count the rows RETURNING gives back: through the ORM session, rowcount is -1 on PostgreSQL
    # (psycopg), which read as "every row written" and a second digest run said it queued them all.
    return len(session.execute(stmt.returning(Delivery.id)).all())


def _due(now: datetime):
    d = Delivery.__table__.c  # the table's columns: usable by `stats` without the ORM mappers
    return or_(
        and_(d.status == "pending", d.next_attempt_at <= now),
        and_(d.status == "sending", d.claimed_until < now),
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
            values = {"status": "dead", "last_error": f"gave up after {attempts} attempts: {error}"}
            dead += 1
        else:
            delay = max(not_before, backoff(attempts, backoff_base, backoff_max))
            values = {"status": "pending", "claimed_by": None, "last_error": error,
                      "next_attempt_at": now + timedelta(seconds=delay)}  # fmt: skip
            retrying += 1
        values["last_error"] = values["last_error"][:4000]
        session.execute(update(Delivery).where(Delivery.id == row_id).values(claimed_until=None, **values))
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
    """Counts for `newsradar status`: deliveries by status, inactive channels, latest dead rows.

    Rows waiting or failed (pending, sending, dead) are counted exactly: what a user acts on.
    Rows done with (sent, skipped) pile up for ever, so their count stops at COUNT_CAP and
    `deliveries_capped` names the statuses that have more rows than it says.
    Core queries on the tables: a read-only command never pays for configuring the ORM mappers."""
    deliveries, channels = Delivery.__table__, Channel.__table__
    cap = counts.COUNT_CAP
    found: dict[str, int] = {}
    # two statements (the exact counts, the capped ones: a LIMIT in the first would hide a whole
    # read from tests/web/test_explain_pages.py on SQLite); each count a range of the
    # (status, next_attempt_at) index
    piling = tuple(status for status in STATUSES if status not in EXACT_STATUSES)
    for group, limit in ((EXACT_STATUSES, None), (piling, cap + 1)):
        per_status = []
        for status in group:
            rows = select(deliveries.c.id).where(deliveries.c.status == status).limit(limit)
            per_status.append(select(func.count()).select_from(rows.subquery()).scalar_subquery())
        found.update(zip(group, session.execute(select(*per_status)).one(), strict=True))
    capped = [status for status in piling if found[status] > cap]
    by_status = {status: cap if status in capped else found[status] for status in STATUSES}
    now = utcnow()
    due = session.scalar(select(func.count()).select_from(deliveries).where(_due(now))) or 0
    oldest = session.scalar(select(func.min(deliveries.c.created_at)).where(deliveries.c.status == "pending"))
    inactive = [
        dict(
            id=c.id,
            subscriber_id=c.subscriber_id,
            kind=c.kind,
            address=c.address,
            reason=c.deactivated_reason,
        )
        for c in session.execute(select(channels).where(channels.c.active.is_(False)).order_by(channels.c.id))
    ]
    latest_dead = (
        select(deliveries)
        .where(deliveries.c.status == "dead")
        .order_by(deliveries.c.id.desc())
        .limit(dead_limit)
    )
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
        for d in session.execute(latest_dead)
    ]
    return dict(
        deliveries=by_status,
        deliveries_capped=capped,
        due=due,
        oldest_pending=oldest,
        inactive_channels=inactive,
        dead=dead,
    )
