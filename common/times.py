"""Time primitives: aware UTC 'now' and Beijing time, the zone every source publishes in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["BEIJING", "is_time_of_day", "to_beijing", "utcnow"]

#: China Standard Time: +08:00 all year (no DST since 1991), so a fixed offset is exact.
BEIJING = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    """Aware 'now', so comparisons never mix naive and aware values."""
    return datetime.now(UTC)


def to_beijing(value: datetime | None) -> datetime | None:
    """Convert to Beijing time, the zone every source publishes in and users read."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING)


def is_time_of_day(text: str) -> bool:
    """A 24-hour "HH:MM" ("08:00", "23:59"): the one check for [digest] time and a subscriber's own."""
    return re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text) is not None
