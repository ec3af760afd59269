"""Which channel kinds can send with this configuration and these secrets, and why not.

Apart from notifiers.senders (which builds the senders) so that `newsradar status` and the
daemon's start-up summary can ask without loading the alert queries and the ORM they need.
"""

from __future__ import annotations

from common import telegram_token

from .settings import NotifierSettings

__all__ = ["channel_problems", "unusable_channels"]

_NO_SECRET = "email needs NEWSRADAR_SECRET_KEY to sign its unsubscribe links"


def channel_problems(settings: NotifierSettings, secret: bytes | None) -> dict[str, str]:
    """Channel kinds that cannot send with this configuration and these secrets, and why."""
    missing: dict[str, str] = {}
    if settings.telegram is None:
        missing["telegram"] = "add a [telegram] section and set NEWSRADAR_TELEGRAM_TOKEN"
    elif not telegram_token():
        missing["telegram"] = "set NEWSRADAR_TELEGRAM_TOKEN"
    if settings.email is None:
        missing["email"] = "add an [email] section (smtp_host, sender ...)"
    elif not secret:
        missing["email"] = _NO_SECRET
    return missing


def unusable_channels(settings: NotifierSettings) -> dict[str, str]:
    """Channel kinds whose section is configured but that cannot send, and why (for `status`).
    A signing key always exists (generated in the database), so it is never the reason here."""
    configured = {"telegram": settings.telegram, "email": settings.email}
    problems = channel_problems(settings, secret=b"signing key in the database")
    return {kind: why for kind, why in problems.items() if configured.get(kind) is not None}
