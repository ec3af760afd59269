"""Signed one-click unsubscribe tokens, so a link in an email can act without a login.

The token carries the channel id and when it was made, signed with the site's link key
(common.signing, the same itsdangerous tokens as the web's other links); the web server calls
check() and then storage.subscribers.unsubscribe_channel(). Tokens expire after UNSUBSCRIBE_DAYS,
long enough that a link in any recent email works (every alert and digest email carries a fresh
one) while a leaked old link stops acting for ever.

Links mailed before the switch to itsdangerous ('<channel id>.<issue day>.<HMAC>') keep working
until they expire: `_legacy` reads them; it can go UNSUBSCRIBE_DAYS after 2026-12-06.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from urllib.parse import quote

from common.signing import read_token, sign_token

__all__ = [
    "ME_DAYS",
    "UNSUBSCRIBE_DAYS",
    "check",
    "me_subscriber",
    "me_url",
    "sign",
    "unsubscribe_url",
    "verify",
]

PURPOSE = "unsubscribe"
UNSUBSCRIBE_DAYS = 400
ME_PURPOSE = "me"
ME_DAYS = 90  # a /me link: every mail and the bot's /me carry a fresh one
_LEGACY = re.compile(r"^(\d{1,18})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$", re.ASCII)  # ASCII digits only


def sign(channel_id: int, secret: bytes, purpose: str = PURPOSE) -> str:
    """A URL-safe token naming the channel; only the holder of the secret can make one."""
    return sign_token(secret, purpose, int(channel_id))


def _legacy(token: str, secret: bytes, purpose: str, max_days: int) -> tuple[int | None, str | None]:
    """An old-format link: HMAC-SHA256 over the channel and issue day."""
    m = _LEGACY.match(token)
    if m is None:
        return None, "invalid"
    channel_id, day = int(m.group(1)), int(m.group(2))
    msg = f"newsradar:{purpose}:{channel_id}:{day}".encode()
    mac = base64.urlsafe_b64encode(hmac.new(secret, msg, hashlib.sha256).digest()).rstrip(b"=").decode()
    if not hmac.compare_digest(m.group(3), mac):
        return None, "invalid"
    if not -1 <= int(time.time() // 86400) - day <= max_days:
        return None, "expired"
    return channel_id, None


def check(
    token: str, secret: bytes, purpose: str = PURPOSE, max_days: int = UNSUBSCRIBE_DAYS
) -> tuple[int | None, str | None]:
    """(channel id, None) for a genuine, current token; else (None, 'invalid' or 'expired')."""
    if not secret or not isinstance(token, str):
        return None, "invalid"
    if _LEGACY.match(token):
        return _legacy(token, secret, purpose, max_days)
    payload, problem = read_token(secret, purpose, token, max_days * 86400)
    if problem is not None or not isinstance(payload, int) or isinstance(payload, bool):
        return None, problem or "invalid"
    return payload, None


def verify(token: str, secret: bytes, purpose: str = PURPOSE) -> int | None:
    """The channel id a genuine, current token names, else None."""
    return check(token, secret, purpose)[0]


def unsubscribe_url(base_url: str, channel_id: int, secret: bytes) -> str:
    """The link in List-Unsubscribe; POST to it (RFC 8058) or open it in a browser."""
    return f"{base_url.rstrip('/')}/unsubscribe?token={quote(sign(channel_id, secret))}"


def me_url(base_url: str, subscriber_id: int, secret: bytes) -> str:
    """The link to a subscriber's own page (/me), in every email, digest and the bot's /me."""
    token = sign_token(secret, ME_PURPOSE, int(subscriber_id))
    return f"{base_url.rstrip('/')}/me?token={quote(token)}"


def me_subscriber(token: str, secret: bytes | None) -> tuple[int | None, str | None]:
    """(subscriber id, None) for a genuine /me link younger than ME_DAYS, else (None, 'invalid' | 'expired')."""
    payload, problem = read_token(secret, ME_PURPOSE, token, ME_DAYS * 86400)
    if problem is not None or not isinstance(payload, int) or isinstance(payload, bool):
        return None, problem or "invalid"
    return payload, None
