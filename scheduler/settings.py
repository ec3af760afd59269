"""The [scheduler], [digest] and [health] config sections, validated when the config loads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common import SettingsError, check_known_keys, is_time_of_day
from common import duration_setting as _duration
from processor.health import HealthSettings

__all__ = [
    "DigestSettings",
    "HealthSettings",
    "SchedulerSettings",
    "SettingsError",
    "parse_section",
    "zone",
]


@dataclass(frozen=True)
class SchedulerSettings:
    lease: float = 30.0  # seconds a SQLite leader's lease lasts; it renews every third of it
    jitter: float = 0.1  # fraction of a source's interval a run may move (capped at max_jitter)
    max_jitter: float = 60.0  # seconds
    batch_window: float = 3.0  # sources falling due within this many seconds share one crawl process
    max_crawls: int = 2  # crawl processes at once


@dataclass(frozen=True)
class DigestSettings:
    time: str = "08:00"  # local time of day the digest of the day before goes out
    timezone: str = "Asia/Shanghai"  # default zone; a subscriber may have their own

    @property
    def at(self) -> time:
        return time.fromisoformat(self.time)


def zone(name: str) -> ZoneInfo:
    """An IANA time zone, or ValueError naming the problem."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a time zone name like 'Asia/Shanghai' or 'Europe/Berlin'"
        ) from None


def _seconds(key: str, value: Any, minimum: float = 0.0) -> float:
    seconds = _duration(key, value)
    if seconds < minimum:
        raise SettingsError(key, f"must be at least {minimum:g} seconds")
    return seconds


def _number(key: str, value: Any, low: float, high: float | None = None) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < low:
        raise SettingsError(key, f"must be a number >= {low:g}, not {value!r}")
    if high is not None and value > high:
        raise SettingsError(key, f"must be at most {high:g}, not {value!r}")
    return float(value)


def _scheduler(table: dict[str, Any]) -> SchedulerSettings:
    check_known_keys(table, SchedulerSettings)
    v: dict[str, Any] = {}
    if "lease" in table:
        v["lease"] = _seconds("lease", table["lease"], 1.0)
    for key in ("max_jitter", "batch_window"):
        if key in table:
            v[key] = _seconds(key, table[key])
    if "jitter" in table:
        v["jitter"] = _number("jitter", table["jitter"], 0.0, 0.5)
    if "max_crawls" in table:
        v["max_crawls"] = int(_number("max_crawls", table["max_crawls"], 1))
        if v["max_crawls"] != table["max_crawls"]:
            raise SettingsError("max_crawls", "must be a whole number")
    return SchedulerSettings(**v)


def _digest(table: dict[str, Any]) -> DigestSettings:
    check_known_keys(table, DigestSettings)
    v: dict[str, Any] = {}
    if "time" in table:
        text = table["time"]
        if not isinstance(text, str) or not is_time_of_day(text.strip()):
            raise SettingsError("time", f"must be a time of day like '08:00' (24-hour), not {text!r}")
        v["time"] = text.strip()
    if "timezone" in table:
        try:
            zone(str(table["timezone"]))
        except ValueError as exc:
            raise SettingsError("timezone", str(exc)) from None
        v["timezone"] = str(table["timezone"])
    return DigestSettings(**v)


def _health(table: dict[str, Any]) -> HealthSettings:
    check_known_keys(table, HealthSettings)
    v: dict[str, Any] = {}
    if "failing_after" in table:
        n = table["failing_after"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise SettingsError("failing_after", f"must be a whole number >= 1, not {n!r}")
        v["failing_after"] = n
    if "quiet_factor" in table:
        v["quiet_factor"] = _number("quiet_factor", table["quiet_factor"], 1.0)
    for key in ("quiet_min", "quiet_history"):
        if key in table:
            v[key] = _seconds(key, table[key], 1.0)
    return HealthSettings(**v)


_PARSERS = {"scheduler": _scheduler, "digest": _digest, "health": _health}


def parse_section(name: str, table: dict[str, Any]) -> Any:
    """Validate one of our sections; SettingsError(key, problem) on the first bad key."""
    try:
        return _PARSERS[name](dict(table))
    except KeyError:
        raise SettingsError(name, "not a scheduler section") from None
