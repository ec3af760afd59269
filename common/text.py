"""Small checks and lookups on plain values that the web, the commands and the senders share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["BLOCKED_REASON", "EMAIL_PATTERN", "is_email", "topic_labels"]

# How a page answered with an anti-bot challenge is described everywhere a person reads it.
BLOCKED_REASON = "blocked by the site's bot challenge"

EMAIL_PATTERN = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def is_email(address: str) -> bool:
    """A plain addr-spec (no display name), enough to catch typos before we store it."""
    return bool(EMAIL_PATTERN.match(address)) and len(address) <= 254


def topic_labels(topics: Sequence[Any]) -> dict[str, str]:
    """id -> human name of classifier topics, for alert headings and pages."""
    return {t.id: t.name for t in topics}
