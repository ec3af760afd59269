"""Small checks and lookups on plain values that the web, the commands and the senders share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["BLOCKED_REASON", "DEFAULT_TIER", "EMAIL_PATTERN", "TIERS", "is_email", "topic_labels"]

# Source tiers: how official a copy is (a story's lead is its lowest-tier copy). Here, not in
# storage, so reading the config (every command) does not import SQLAlchemy; storage.tiers re-exports.
TIERS = {"official": 0, "portal": 1, "aggregator": 2, "other": 3}  # name in [[sources]] -> stored tier
DEFAULT_TIER = TIERS["other"]  # a source whose kind says nothing about how official it is

# How a page answered with an anti-bot challenge is described everywhere a person reads it.
BLOCKED_REASON = "blocked by the site's bot challenge"

# No whitespace, control character (NUL, CR, LF reach RCPT TO as they are), bidi control or
# separator in the local part; a plain host name after the @.
EMAIL_PATTERN = re.compile(
    r"[^@\s<>\"',;\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
)


def is_email(address: str) -> bool:
    """A plain addr-spec (no display name), enough to catch typos before we store it."""
    return isinstance(address, str) and bool(EMAIL_PATTERN.fullmatch(address)) and len(address) <= 254


def topic_labels(topics: Sequence[Any]) -> dict[str, str]:
    """id -> human name of classifier topics, for alert headings and pages."""
    return {t.id: t.name for t in topics}
