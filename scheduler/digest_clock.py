"""The daily digest on schedule: at each subscriber's own digest time (default `[digest] time`) in
their zone, queue the digest of the day before through the outbox (unique per subscriber, channel
and day: at most once, across restarts and a standby taking over)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common import is_time_of_day
from processor import queue_digests
from storage import Subscriber

from .plan import digest_due
from .settings import DigestSettings, zone

__all__ = ["DigestClock", "digest_job", "effective_digest"]

log = logging.getLogger(__name__)
run_log = logging.getLogger("newsradar.run")  # the daemon's lines
DIGEST_MODES = ("digest", "both")


def effective_digest(digest: DigestSettings | None, digest_hour: int | None) -> DigestSettings:
    """[digest] if given, else the deprecated [alerts] digest_hour (Beijing), else the defaults."""
    if digest is not None:
        return digest
    if digest_hour is not None:
        log.warning(
            '[alerts] digest_hour is deprecated: write [digest] time = "%02d:00" instead', digest_hour
        )
        return DigestSettings(time=f"{digest_hour:02d}:00", timezone="Asia/Shanghai")
    return DigestSettings()


class DigestClock:
    """Remembers what this process queued, so a tick every minute costs one small query."""

    def __init__(self, digest: DigestSettings, topic_order: Sequence[str], include_empty: bool) -> None:
        self.digest = digest
        self.topic_order = list(topic_order)
        self.include_empty = include_empty
        self._done: dict[tuple[str, date], set[int]] = defaultdict(set)

    def tick(self, session: Session, now: datetime) -> list[tuple[date, str, int]]:
        """Queue every digest due at `now` (processor.queue_digests, as `newsradar digest --send`
        does; it commits); returns (day, zone, rows queued) per zone and time that had any due."""
        groups: dict[tuple[str, str], list[tuple[int, datetime]]] = defaultdict(list)
        for sid, tzname, at, created in session.execute(
            select(Subscriber.id, Subscriber.timezone, Subscriber.digest_time, Subscriber.created_at).where(
                Subscriber.paused.is_(False), Subscriber.mode.in_(DIGEST_MODES)
            )
        ):
            groups[(tzname or self.digest.timezone, at or self.digest.time)].append((sid, created))
        out = []
        for (tzname, at_text), members in sorted(groups.items()):
            tz, at = self._zone(tzname), self._time(at_text)
            day = digest_due(now, tz, at)
            if day is None:
                continue
            due = {sid for sid, created in members if digest_due(now, tz, at, created_at=created)}
            due -= self._done[(tzname, day)]
            if not due:
                continue
            queued = queue_digests(
                session, day, topic_order=self.topic_order, include_empty=self.include_empty, tz=tz,
                subscribers=due,
            ).queued  # fmt: skip
            self._done[(tzname, day)] |= due
            out.append((day, tzname if at_text == self.digest.time else f"{tzname} {at_text}", queued))
        return out

    def _zone(self, tzname: str) -> tzinfo:
        try:
            return zone(tzname)
        except ValueError:
            log.warning(
                "subscribers with unknown time zone %r get digests in %s", tzname, self.digest.timezone
            )
            return zone(self.digest.timezone)

    def _time(self, text: str) -> time:
        if is_time_of_day(text):
            return time.fromisoformat(text)
        log.warning("subscribers with digest time %r (not HH:MM) get digests at %s", text, self.digest.time)
        return self.digest.at


async def digest_job(db: Any, clock: DigestClock) -> int:
    """The daemon's digest tick (every minute): queue what is due; returns the rows queued."""
    from storage import utcnow

    def work() -> list[tuple[date, str, int]]:
        with db.session() as s:
            return clock.tick(s, utcnow())

    total = 0
    for day, tz, n in await asyncio.to_thread(work):
        run_log.info("digest of %s (%s): queued %d", day, tz, n)
        total += n
    return total
