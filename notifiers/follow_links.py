"""Telegram deep links that turn into a watch: `https://t.me/<bot>?start=<code>`.

Telegram allows at most 64 characters of [A-Za-z0-9_-] after ?start=, too few for a signed
token carrying a 500-character query. So the web keeps the follow request as a settings row
under a random id, and the code is that id plus an HMAC of it under the site's link key (the
key common.signing's tokens use): a code cannot be guessed or made without the key, it expires
after FOLLOW_LINK_HOURS, and the bot's /start consumes it once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete
from sqlalchemy.orm import Session

from common.times import utcnow
from storage.state import Setting, get_setting, set_setting

__all__ = ["FOLLOW_LINK_HOURS", "deep_link", "take_follow"]

FOLLOW_LINK_HOURS = 24
PREFIX = "follow-link:"
_CODE = re.compile(r"^f([A-Za-z0-9_-]{16})([A-Za-z0-9_-]{22})$")


def _mac(secret: bytes, ident: str) -> str:
    digest = hmac.new(secret, f"newsradar-follow:{ident}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def deep_link(session: Session, secret: bytes, bot: str, request: dict[str, Any]) -> str:
    """Keep `request` (query, topics, sources, backfill) and return the bot's deep link (the caller
    commits). Expired requests nobody opened are dropped here."""
    if not secret:
        raise ValueError("an empty secret would make follow links forgeable")
    _forget_expired(session)
    ident = secrets.token_urlsafe(12)  # 16 characters
    set_setting(session, PREFIX + ident, {**request, "at": utcnow().isoformat()})
    return f"https://t.me/{quote(bot)}?start=f{ident}{_mac(secret, ident)}"


def take_follow(
    session: Session, secret: bytes | None, code: str
) -> tuple[dict[str, Any] | None, str | None]:
    """(the follow request, None) for a genuine, fresh code, consumed (the caller commits);
    else (None, "invalid" | "expired")."""
    m = _CODE.match(code or "")
    if not secret or m is None or not hmac.compare_digest(m.group(2), _mac(secret, m.group(1))):
        return None, "invalid"
    key = PREFIX + m.group(1)
    value = get_setting(session, key)
    if not isinstance(value, dict):
        return None, "expired"  # used already, or dropped after it expired
    session.execute(delete(Setting).where(Setting.key == key))
    if _age_hours(value) > FOLLOW_LINK_HOURS:
        return None, "expired"
    return value, None


def _age_hours(value: dict[str, Any]) -> float:
    try:
        made = datetime.fromisoformat(str(value.get("at")))
    except ValueError:
        return float("inf")
    return (utcnow() - made).total_seconds() / 3600


def _forget_expired(session: Session) -> None:
    for row in session.query(Setting).filter(Setting.key.startswith(PREFIX)).limit(200):
        if _age_hours(row.value if isinstance(row.value, dict) else {}) > FOLLOW_LINK_HOURS:
            session.delete(row)
