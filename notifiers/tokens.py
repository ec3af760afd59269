"""Signed one-click unsubscribe tokens, so a link in an email can act without a login.

The token names a channel and the day it was issued, with an HMAC-SHA256 over both keyed with
the site's link key; the web server calls check() and then storage.subscribers.unsubscribe_channel().
Tokens expire after UNSUBSCRIBE_DAYS, long enough that a link in any recent email works (every
alert and digest email carries a fresh one) while a leaked old link stops acting for ever.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

__all__ = ["UNSUBSCRIBE_DAYS", "check", "sign", "unsubscribe_url", "verify"]

PURPOSE = "unsubscribe"
UNSUBSCRIBE_DAYS = 400


def _today() -> int:
    return int(time.time() // 86400)


def _mac(secret: bytes, purpose: str, channel_id: int, day: int) -> str:
    msg = f"newsradar:{purpose}:{channel_id}:{day}".encode()
    return base64.urlsafe_b64encode(hmac.new(secret, msg, hashlib.sha256).digest()).rstrip(b"=").decode()


def sign(channel_id: int, secret: bytes, purpose: str = PURPOSE, day: int | None = None) -> str:
    """'<channel id>.<issue day>.<mac>': URL-safe, and only the holder of the secret can make one."""
    if not secret:
        raise ValueError("an empty secret would make tokens forgeable")
    day = _today() if day is None else int(day)
    return f"{int(channel_id)}.{day}.{_mac(secret, purpose, int(channel_id), day)}"


def check(
    token: str, secret: bytes, purpose: str = PURPOSE, max_days: int = UNSUBSCRIBE_DAYS
) -> tuple[int | None, str | None]:
    """(channel id, None) for a genuine, current token; else (None, 'invalid' or 'expired')."""
    if not secret or not isinstance(token, str) or token.count(".") != 2:
        return None, "invalid"
    head, day_text, mac = token.split(".")
    if not (head.isascii() and day_text.isascii()):  # '²'.isdigit() is True, int('²') fails
        return None, "invalid"
    if not (head.isdigit() and day_text.isdigit()) or len(head) > 18 or len(day_text) > 9:
        return None, "invalid"
    channel_id, day = int(head), int(day_text)
    if not hmac.compare_digest(mac, _mac(secret, purpose, channel_id, day)):
        return None, "invalid"
    if not -1 <= _today() - day <= max_days:
        return None, "expired"
    return channel_id, None


def verify(token: str, secret: bytes, purpose: str = PURPOSE) -> int | None:
    """The channel id a genuine, current token names, else None (constant-time comparison)."""
    return check(token, secret, purpose)[0]


def unsubscribe_url(base_url: str, channel_id: int, secret: bytes) -> str:
    """The link in List-Unsubscribe; POST to it (RFC 8058) or open it in a browser."""
    return f"{base_url.rstrip('/')}/unsubscribe?token={quote(sign(channel_id, secret))}"
