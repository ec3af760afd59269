"""The [watches] config section: how many watches one subscriber may keep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common import SettingsError, check_known_keys

__all__ = ["WatchSettings", "parse_section", "watch_settings"]


@dataclass(frozen=True)
class WatchSettings:
    max_per_subscriber: int = 50  # watches (active or paused) one subscriber may keep


def parse_section(name: str, table: dict[str, Any]) -> WatchSettings:
    """Validate [watches]; SettingsError(key, problem) on the first bad key."""
    if name != "watches":
        raise SettingsError(name, "not a watches section")
    check_known_keys(table, WatchSettings)
    value = table.get("max_per_subscriber", WatchSettings.max_per_subscriber)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SettingsError("max_per_subscriber", f"must be a whole number >= 1, not {value!r}")
    return WatchSettings(max_per_subscriber=value)


def watch_settings(config: Any) -> WatchSettings:
    """The [watches] settings of a loaded config (the defaults when the section is absent)."""
    return config.sections.get("watches") or WatchSettings()
