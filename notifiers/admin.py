"""Notes to the people who run newsradar: [telegram] admin_chats and [alerts] admin_emails."""

from __future__ import annotations

import html
import io
import logging

from .dispatch import build_senders
from .settings import NotifierSettings

__all__ = ["admin_channels", "notify_admins"]

log = logging.getLogger(__name__)


def admin_channels(settings: NotifierSettings) -> list[str]:
    """Where admin notes go, as people read it (empty: nowhere; the log says so)."""
    chats = [f"telegram {c}" for c in (settings.telegram.admin_chats if settings.telegram else ())]
    return chats + [f"email {a}" for a in settings.alerts.admin_emails]


async def notify_admins(settings: NotifierSettings, subject: str, text: str, secret: bytes | None) -> int:
    """Send `subject` + `text` (plain, escaped for Telegram) to every admin; returns notes sent."""
    senders, missing = build_senders(settings, io.StringIO(), secret)
    sent = 0
    try:
        telegram = senders.get("telegram")
        if telegram is not None and settings.telegram and settings.telegram.admin_chats:
            await telegram.start()
            body = f"<b>{html.escape(subject, quote=False)}</b>\n{html.escape(text, quote=False)}"
            await telegram.notify_admins(body)
            sent += len(settings.telegram.admin_chats)
        elif settings.telegram and settings.telegram.admin_chats:
            log.warning("admin chats not told (%s): %s", missing.get("telegram"), subject)
        email = senders.get("email")
        for address in settings.alerts.admin_emails:
            if email is None:
                log.warning("admin %s not told (%s): %s", address, missing.get("email"), subject)
                continue
            outcome = await email.send_plain(address, subject, text)
            if type(outcome).__name__ == "Sent":
                sent += 1
            else:
                log.warning("could not tell admin %s: %s", address, outcome)
    finally:
        for sender in senders.values():
            await sender.close()
    return sent
