"""Secrets come from the environment only: the bot token, the SMTP password and the signing key."""

from __future__ import annotations

import os
from typing import Any

__all__ = [
    "SECRET_ENV",
    "SMTP_PASSWORD_ENV",
    "TELEGRAM_TOKEN_ENV",
    "secret_key",
    "smtp_password",
    "telegram_token",
]

TELEGRAM_TOKEN_ENV = "NEWSRADAR_TELEGRAM_TOKEN"
SMTP_PASSWORD_ENV = "NEWSRADAR_SMTP_PASSWORD"
SECRET_ENV = "NEWSRADAR_SECRET_KEY"


def telegram_token() -> str | None:
    return os.environ.get(TELEGRAM_TOKEN_ENV) or None


def smtp_password() -> str | None:
    return os.environ.get(SMTP_PASSWORD_ENV) or None


def secret_key(db: Any = None) -> bytes | None:
    """NEWSRADAR_SECRET_KEY, else (given a storage.Database) the key generated once and kept in it."""
    value = os.environ.get(SECRET_ENV)
    if value:
        return value.encode()
    if db is None:
        return None
    return db.signing_key()
