"""Notifiers: render and send alerts (Telegram, email, Apprise, console) from the delivery outbox."""

from __future__ import annotations

from typing import Any

from .settings import NotifierSettings

__all__ = ["notifier_settings"]


def notifier_settings(config: Any) -> NotifierSettings:
    """[telegram], [email] and [alerts] as parsed by config.py (absent sections: None / defaults)."""
    return NotifierSettings.from_sections(getattr(config, "sections", {}) or {})
