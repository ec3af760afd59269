"""Signed, expiring tokens for links (unsubscribe, confirm, digests) and sessions: itsdangerous,
one implementation for the web and the senders, a purpose per kind of link (its salt)."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

__all__ = ["read_token", "sign_token"]

MAX_TOKEN = 4000  # characters: anything longer is no token of ours


def _serializer(secret: bytes, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"newsradar-{purpose}")


def sign_token(secret: bytes, purpose: str, payload: Any) -> str:
    """A URL-safe token carrying `payload` and the time it was made; only the secret's holder can make one."""
    if not secret:
        raise ValueError("an empty secret would make tokens forgeable")
    return _serializer(secret, purpose).dumps(payload)


def read_token(secret: bytes | None, purpose: str, token: str, max_age: float) -> tuple[Any, str | None]:
    """(payload, None) for a genuine token younger than `max_age` seconds, else (None, "expired" | "invalid")."""
    if not secret or not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        return None, "invalid"
    try:
        return _serializer(secret, purpose).loads(token, max_age=max_age), None
    except SignatureExpired:
        return None, "expired"
    except (BadSignature, UnicodeError, ValueError):
        return None, "invalid"
