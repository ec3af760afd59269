"""Pure timing decisions (no clock of their own, so tests give them any 'now')."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from .settings import SchedulerSettings

__all__ = ["digest_due", "jitter_for", "next_digest_at"]


def jitter_for(every: float, settings: SchedulerSettings) -> float:
    """How far (±seconds) a source's run may move, so 40 sources never hit at once."""
    return min(every * settings.jitter, settings.max_jitter)


def _moment(day: date, at: time, tz: tzinfo) -> datetime:
    """`at` on local `day` as an aware time; a wall time skipped by a DST change moves forward
    by the gap (02:30 on a spring-forward night is 03:30), a repeated one takes its first pass."""
    # PEP 495, fold=0: a missing wall time takes the offset from before the change, which is
    # the instant the gap pushes it to; an ambiguous one is its first occurrence.
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0)


def digest_due(now: datetime, tz: tzinfo, at: time, *, created_at: datetime | None = None) -> date | None:
    """The local day whose digest is due at `now` (the day before today in `tz`, once today's `at`
    has passed), or None. A daemon that was down at `at` catches up later the same day; a
    subscriber added after today's `at` waits for tomorrow's."""
    local = now.astimezone(tz)
    moment = _moment(local.date(), at, tz)
    if now < moment:
        return None
    if created_at is not None and created_at > moment:
        return None
    return local.date() - timedelta(days=1)


def next_digest_at(now: datetime, tz: tzinfo, at: time) -> datetime:
    """When the next digest goes out (for the start-up summary and status)."""
    local = now.astimezone(tz)
    moment = _moment(local.date(), at, tz)
    if moment <= now:
        moment = _moment(local.date() + timedelta(days=1), at, tz)
    return moment
