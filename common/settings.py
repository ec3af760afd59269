"""Config primitives every section shares: the one duration parser and the known-key check.

They live at the bottom so newsradar/config.py and every feature package's `settings.py` use the
same rules (and the same wording in error messages) without importing each other.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

__all__ = ["SettingsError", "check_known_keys", "duration_setting", "parse_duration"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_FORMS = "'500ms', '30s', '10m', '2h' or '1d'"


class SettingsError(ValueError):
    """A bad key in one of our sections; config.py prefixes it with file and section."""

    def __init__(self, key: str, problem: str) -> None:
        self.key, self.problem = key, problem
        super().__init__(f"{key}: {problem}")


def parse_duration(value: Any, *, unit_required: bool = False) -> float:
    """Seconds in a config value: '500ms', '30s', '10m', '2h', '1d' (a bare number is seconds,
    unless `unit_required`).

    The one duration parser of every config section. [[sources]] every requires a unit:
    `every = 10` could mean seconds or minutes, and a wrong guess crawls a site 60 times too often.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration like {_DURATION_FORMS}")
    if isinstance(value, int | float) and not unit_required:
        seconds = float(value)
    elif isinstance(value, int | float):
        raise ValueError(
            f"{value:g} needs a unit: write '{value:g}m' or '{value:g}s' (accepted: {_DURATION_FORMS})"
        )
    else:
        m = _DURATION.match(str(value))
        if not m:
            raise ValueError(f"{str(value)!r} is not a duration like {_DURATION_FORMS}")
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds < 0:
        raise ValueError("must not be negative")
    return seconds


def duration_setting(key: str, value: Any) -> float:
    """parse_duration for one key of a section: a bad value becomes SettingsError(key, problem)."""
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise SettingsError(key, str(exc)) from None


def check_known_keys(table: dict[str, Any], cls: type) -> None:
    """Refuse a key the section's dataclass has no field for (a typo would otherwise be ignored)."""
    allowed = [f.name for f in fields(cls)]
    for key in table:
        if key not in allowed:
            raise SettingsError(key, f"unknown key (allowed: {', '.join(allowed)})")
