"""Signed one-click unsubscribe tokens, so a link in an email can act without a login.

The token names a channel and carries an HMAC-SHA256 over it keyed with $NEWSRADAR_SECRET_KEY;
the web server (a later issue) calls verify() and then storage.subscribers.unsubscribe_channel().
Tokens do not expire: an unsubscribe link must keep working in an old email.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

__all__ = ["sign", "unsubscribe_url", "verify"]

PURPOSE = "unsubscribe"


def _mac(secret: bytes, purpose: str, channel_id: int) -> str:
    digest = hmac.new(secret, f"newsradar:{purpose}:{channel_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(channel_id: int, secret: bytes, purpose: str = PURPOSE) -> str:
    """'<channel id>.<mac>': URL-safe, and only the holder of the secret can make one."""
    if not secret:
        raise ValueError("an empty secret would make tokens forgeable")
    return f"{int(channel_id)}.{_mac(secret, purpose, int(channel_id))}"


def verify(token: str, secret: bytes, purpose: str = PURPOSE) -> int | None:
    """The channel id a genuine token names, else None (constant-time comparison)."""
    if not secret or not isinstance(token, str) or token.count(".") != 1:
        return None
    head, mac = token.split(".")
    if not head.isdigit() or len(head) > 18:
        return None
    channel_id = int(head)
    return channel_id if hmac.compare_digest(mac, _mac(secret, purpose, channel_id)) else None


def unsubscribe_url(base_url: str, channel_id: int, secret: bytes) -> str:
    """The link in List-Unsubscribe; POST to it (RFC 8058) or open it in a browser."""
    return f"{base_url.rstrip('/')}/unsubscribe?token={quote(sign(channel_id, secret))}"
