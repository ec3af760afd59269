"""The Apprise channel: DingTalk, WeCom, Feishu, Slack, JSON webhooks ... through one URL each.

Apprise reports success or failure but not why in a machine-readable way, so every failed
notify is transient (retried with backoff, dead after max_attempts); only a URL Apprise cannot
parse at all is permanent.
"""

from __future__ import annotations

import asyncio
import logging

from common import strip_unsafe

from .alerts import ChannelBatch
from .base import Message, Outcome, Permanent, Sender, Sent, Transient
from .messages import digest_plain_text, plain_text

__all__ = ["AppriseSender", "apprise_url_ok"]

log = logging.getLogger(__name__)


def apprise_url_ok(url: str) -> bool:
    """Does Apprise know this URL scheme and can it parse the URL?"""
    import apprise  # loads its plugins: only where an Apprise URL is used

    return apprise.Apprise.instantiate(url, suppress_exceptions=True) is not None


def _title(message: Message) -> str:
    if message.digest is not None:
        return f"newsradar daily digest {message.digest.day:%Y-%m-%d}"
    first = message.alerts[0].title or "(untitled)"
    return (
        f"newsradar: {first[:120]}"
        if len(message.alerts) == 1
        else f"newsradar: {len(message.alerts)} new stories"
    )


class AppriseSender(Sender):
    kind = "apprise"

    def __init__(self, concurrency: int = 8, per_message: int = 10) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.per_message = per_message

    def render(self, batch: ChannelBatch) -> list[Message]:
        n = self.per_message
        out = [
            Message((_title(m := Message(None, batch.alerts[i : i + n])), plain_text(m.alerts)), m.alerts)
            for i in range(0, len(batch.alerts), n)
        ]
        for d in batch.digests:
            m = Message(None, [], d)
            m.payload = (_title(m), digest_plain_text(d))
            out.append(m)
        return out

    def _notify(self, url: str, title: str, body: str) -> Outcome:
        import apprise

        obj = apprise.Apprise()
        if not obj.add(url):
            return Permanent("Apprise cannot use this URL", deactivate=True)
        result = obj.notify(
            body=strip_unsafe(body), title=strip_unsafe(title), body_format=apprise.NotifyFormat.TEXT
        )
        if result:
            return Sent()
        logs = "; ".join(e.message for e in result.logs() if e.level in ("WARNING", "ERROR"))
        return Transient(f"Apprise notify failed: {logs or result.status.name}"[:1000])

    async def send(self, batch: ChannelBatch, message: Message) -> Outcome:
        title, body = message.payload
        async with self.slots:
            return await asyncio.to_thread(self._notify, batch.address, title, body)
