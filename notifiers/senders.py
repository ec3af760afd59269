"""The senders that send alerts: built once per process and reused.

`build_senders` makes them (notifiers.channels says which kinds cannot send, without building a
sender); `SenderPool` keeps one set alive across dispatch passes and rebuilds it only when a
secret changes or a sender could not start (so the daemon opens one Bot API session, not one per poll).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TextIO

from common import secret_key, smtp_password, telegram_token

from .base import Sender, SenderUnavailable
from .channels import channel_problems
from .settings import NotifierSettings

__all__ = ["SenderPool", "build_senders"]

log = logging.getLogger(__name__)


def build_senders(
    settings: NotifierSettings, out: TextIO, secret: bytes | None = None
) -> tuple[dict[str, Sender], dict[str, str]]:
    """The senders this configuration allows, and why the others cannot be used
    (secret: the signing key, see common.secret_key; default NEWSRADAR_SECRET_KEY)."""
    from .apprise import AppriseSender
    from .console import ConsoleSender

    secret = secret or secret_key()
    missing = channel_problems(settings, secret)
    senders: dict[str, Sender] = {
        "console": ConsoleSender(out),
        "apprise": AppriseSender(settings.alerts.apprise_concurrency),
    }
    if "telegram" not in missing and settings.telegram is not None:
        from .telegram import TelegramSender

        senders["telegram"] = TelegramSender(settings.telegram, telegram_token() or "")
    if "email" not in missing and settings.email is not None:
        from .mail import EmailSender

        try:
            senders["email"] = EmailSender(
                settings.email, settings.alerts, password=smtp_password(), secret=secret
            )
        except SenderUnavailable as exc:
            missing["email"] = str(exc)
    return senders, missing


class SenderPool:
    """Started senders kept across dispatch passes; rebuilt when the bot token, the SMTP password
    or the signing key changes, or when a sender failed to start or became unusable."""

    def __init__(self, settings: NotifierSettings, out: TextIO, db: Any = None) -> None:
        self.settings, self.out, self.db = settings, out, db
        self.senders: dict[str, Sender] = {}
        self.missing: dict[str, str] = {}
        self._key: tuple | None = None
        self._stale = True

    def _secrets(self) -> tuple:
        return (telegram_token(), smtp_password(), secret_key(self.db))

    def spoil(self) -> None:
        """A sender turned out unusable (refused token, SMTP login): rebuild on the next pass."""
        self._stale = True

    async def current(self) -> tuple[dict[str, Sender], dict[str, str]]:
        """The started senders and why the other kinds wait; builds or rebuilds when needed."""
        key = await asyncio.to_thread(self._secrets)
        if key == self._key and not self._stale:
            return self.senders, self.missing
        await self.close()
        self._key, self._stale = key, False
        self.senders, self.missing = build_senders(self.settings, self.out, key[2])
        for kind, sender in list(self.senders.items()):
            try:
                await sender.start()
            except SenderUnavailable as exc:
                self.senders.pop(kind)
                self.missing[kind] = str(exc)
                self._stale = True  # try again on the next pass
                log.warning("%s alerts wait: %s", kind, exc)
                await sender.close()
        return self.senders, self.missing

    async def rest(self) -> None:
        """Between batches: release idle connections (SMTP), keep the senders."""
        for sender in self.senders.values():
            await sender.rest()

    async def close(self) -> None:
        for sender in self.senders.values():
            await sender.close()
        self.senders = {}
