"""Column types that keep datetimes timezone-aware on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

__all__ = ["BEIJING", "UTCDateTime", "to_beijing", "utcnow"]

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


class UTCDateTime(TypeDecorator):
    """Stores UTC without zone (SQLite has none) and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
