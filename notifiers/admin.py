"""Notes to the people who run newsradar: [telegram] admin_chats and [alerts] admin_emails.

A health note that one failed send swallows is the silence a monitor must never keep, so
AdminNotes keeps what a channel could not take and tries it again, each recipient on its own.
"""

from __future__ import annotations

import html
import io
import logging
import time
from dataclasses import dataclass, field

from .base import Sent
from .senders import build_senders
from .settings import NotifierSettings

__all__ = ["AdminNotes", "admin_channels", "notify_admins"]

log = logging.getLogger(__name__)


def admin_channels(settings: NotifierSettings) -> list[str]:
    """Where admin notes go, as people read it (empty: nowhere; the log says so)."""
    chats = [f"telegram {c}" for c in (settings.telegram.admin_chats if settings.telegram else ())]
    return chats + [f"email {a}" for a in settings.alerts.admin_emails]


async def notify_admins(
    settings: NotifierSettings,
    subject: str,
    text: str,
    secret: bytes | None,
    only: set[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Send `subject` + `text` (plain, escaped for Telegram) to every admin (or those in `only`,
    named as admin_channels names them); returns (told, failed): failed ones may be retried."""
    senders, missing = build_senders(settings, io.StringIO(), secret)
    told: list[str] = []
    failed: list[str] = []
    wanted = [r for r in admin_channels(settings) if only is None or r in only]
    try:
        for recipient in wanted:
            kind, address = recipient.split(" ", 1)
            sender = senders.get(kind)
            if sender is None:
                log.warning(
                    "admin %s not told (%s): %s", recipient, missing.get(kind, "not configured"), subject
                )
                continue
            if kind == "telegram":
                await sender.start()
                body = f"<b>{html.escape(subject, quote=False)}</b>\n{html.escape(text, quote=False)}"
                outcome = await sender.send_text(address, body)
            else:
                outcome = await sender.send_plain(address, subject, text)
            if isinstance(outcome, Sent):
                told.append(recipient)
            else:
                log.warning("could not tell admin %s: %s", recipient, outcome)
                failed.append(recipient)
    finally:
        for sender in senders.values():
            await sender.close()
    return told, failed


@dataclass
class _Note:
    subject: str
    text: str
    to: set[str]
    attempts: int = 1
    due: float = field(default_factory=time.monotonic)


class AdminNotes:
    """Admin notes with retries: a recipient whose channel failed gets the note again after
    30 s, 1 min, 2 min … (6 attempts in all), then the log says it was given up."""

    def __init__(self, settings: NotifierSettings, attempts: int = 6, first_wait: float = 30.0) -> None:
        self.settings, self.attempts, self.first_wait = settings, attempts, first_wait
        self.pending: list[_Note] = []

    async def send(self, subject: str, text: str, secret: bytes | None) -> list[str]:
        """Tell every admin now; who was told (empty: nobody, yet or at all)."""
        told, failed = await notify_admins(self.settings, subject, text, secret)
        if failed:
            self._later(_Note(subject, text, set(failed)))
        return told

    async def retry_due(self, secret: bytes | None, now: float | None = None) -> int:
        """Send the notes whose next try has come; how many recipients were told."""
        now = time.monotonic() if now is None else now
        due, self.pending = (
            [n for n in self.pending if n.due <= now],
            [n for n in self.pending if n.due > now],
        )
        told_n = 0
        for note in due:
            told, failed = await notify_admins(self.settings, note.subject, note.text, secret, only=note.to)
            told_n += len(told)
            if failed:
                note.to, note.attempts = set(failed), note.attempts + 1
                self._later(note)
        return told_n

    def _later(self, note: _Note) -> None:
        if note.attempts >= self.attempts:
            log.error(
                "gave up telling %s after %d attempts: %s",
                ", ".join(sorted(note.to)),
                note.attempts,
                note.subject,
            )
            return
        note.due = time.monotonic() + self.first_wait * 2 ** (note.attempts - 1)
        self.pending.append(note)
