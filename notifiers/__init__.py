"""Notifiers: render and send alerts (Telegram, email, Apprise, console) from the delivery outbox."""

from __future__ import annotations

from typing import Any

from .settings import NotifierSettings

__all__ = ["notifier_settings", "source_titles"]


def notifier_settings(config: Any) -> NotifierSettings:
    """[telegram], [email] and [alerts] as parsed by config.py (absent sections: None / defaults)."""
    return NotifierSettings.from_sections(getattr(config, "sections", {}) or {})


def source_titles(config: Any) -> dict[str, str]:
    """Source name -> display title, for the sources that have one."""
    return {s.name: s.title for s in getattr(config, "sources", []) if getattr(s, "title", None)}
