"""What every channel sender does, the three ways a send can end, and what a dispatch did."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from common import plural

from .alerts import Alert, ChannelBatch, Digest

__all__ = [
    "DispatchReport",
    "Message",
    "Pacer",
    "Permanent",
    "Sender",
    "SenderUnavailable",
    "Sent",
    "Transient",
]


@dataclass
class Message:
    """One thing to send (a Telegram message, an email, a webhook call) settling these alerts.

    A digest message carries `digest` instead of alerts; `progress` is set on every part but the
    last of a split digest (the digest's stories delivered once this part is sent), so the
    dispatcher records progress there and settles the row only with the last part.
    """

    payload: Any
    alerts: list[Alert]
    digest: Digest | None = None
    progress: int | None = None

    @property
    def delivery_ids(self) -> list[int]:
        ids = [i for a in self.alerts for i in a.delivery_ids]
        if self.digest is not None:
            ids.append(self.digest.delivery_id)
        return ids


@dataclass(frozen=True)
class Sent:
    detail: str = ""


@dataclass(frozen=True)
class Transient:
    """Try again later (network, 5xx, 4xx SMTP, 429); retry_after is the server's lower bound."""

    error: str
    retry_after: float = 0.0


@dataclass(frozen=True)
class Permanent:
    """Will never work: deactivate=True when the channel itself is gone (blocked bot, bad address)."""

    error: str
    deactivate: bool = True


Outcome = Sent | Transient | Permanent


class SenderUnavailable(Exception):
    """The whole channel kind cannot be used now (not configured, bad token): rows wait."""


class Sender:
    """Base class: render a channel's alerts into messages, send one message at a time."""

    kind = "?"

    async def start(self) -> None:
        """Connect / check credentials; raise SenderUnavailable if this kind cannot work."""

    async def close(self) -> None:
        """Release connections."""

    async def rest(self) -> None:
        """Between two batches of a long-lived sender: release idle connections it would reopen."""

    def render(self, batch: ChannelBatch) -> list[Message]:
        raise NotImplementedError

    async def send(self, batch: ChannelBatch, message: Message) -> Outcome:
        raise NotImplementedError

    async def notify_admins(self, text: str) -> None:
        """Tell operators about a deactivated channel; only Telegram has admins for now."""


@dataclass
class Pacer:
    """Spaces events: at most one per `interval` seconds per key (and, with key None, overall).

    Each release is spaced from the previous one as it actually happened (not as it was planned),
    so a busy event loop that wakes sleepers late cannot turn the backlog into a burst.
    """

    interval: float
    _next: dict[Hashable, float] = field(default_factory=dict)
    _locks: dict[Hashable, asyncio.Lock] = field(default_factory=dict)

    async def wait(self, key: Hashable = None) -> None:
        """Sleep until `key` may go again, then start its next interval."""
        if self.interval <= 0:
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            delay = self._next.get(key, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next[key] = time.monotonic() + self.interval

    def hold(self, key: Hashable, seconds: float) -> None:
        """Nothing for `key` before `seconds` from now (a 429's retry_after)."""
        self._next[key] = max(self._next.get(key, 0.0), time.monotonic() + seconds)


@dataclass
class DispatchReport:
    sent: int = 0  # outbox rows settled as sent
    digests: int = 0  # ... of which daily digests
    messages: int = 0  # messages / emails / webhook calls made
    retrying: int = 0
    dead: int = 0
    skipped: int = 0
    lost_leases: int = 0  # rows another dispatcher took over while we sent: possible duplicates
    deactivated: list[str] = field(default_factory=list)
    waiting: Counter = field(default_factory=Counter)  # kind -> rows left pending (kind unusable)
    unavailable: dict[str, str] = field(default_factory=dict)  # kind -> why

    def summary(self) -> str:
        parts = [f"sent {plural(self.sent, 'alert')} in {plural(self.messages, 'message')}"]
        for name in ("retrying", "dead", "skipped"):
            if getattr(self, name):
                parts.append(f"{name} {getattr(self, name)}")
        if self.deactivated:
            parts.append(f"deactivated {plural(len(self.deactivated), 'channel')}")
        if self.lost_leases:
            parts.append(f"lost lease on {self.lost_leases}")
        return "dispatch: " + ", ".join(parts)
