"""Notifiers: render and send alerts (Telegram, email, Apprise, console) from the delivery outbox."""

from __future__ import annotations

from typing import Any

from .settings import NotifierSettings

__all__ = ["notifier_settings", "topic_ids", "topics_of"]


def topics_of(config: Any) -> list[Any]:
    """The classifier topics in force: the config's own, else the built-in ones."""
    if getattr(config, "topics", None):
        return list(config.topics)
    from classifier import default_topics

    return list(default_topics())


def topic_ids(config: Any) -> list[str]:
    return [t.id for t in topics_of(config)]


def notifier_settings(config: Any) -> NotifierSettings:
    """[telegram], [email] and [alerts] as parsed by config.py (absent sections: None / defaults)."""
    return NotifierSettings.from_sections(getattr(config, "sections", {}) or {})
