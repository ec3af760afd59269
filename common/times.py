"""Time primitives: aware UTC 'now' and Beijing time, the zone every source publishes in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

__all__ = ["BEIJING", "to_beijing", "utcnow"]

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
