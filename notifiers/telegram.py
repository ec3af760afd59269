"""Telegram alerts through python-telegram-bot, with the rate limits Telegram asks of bots.

PTB's AIORateLimiter only caps the overall rate, so we pace ourselves: `rate` messages per
second over all chats and one message per `per_chat_interval` to any one chat. A 429 holds
that chat for `retry_after` and the message is retried in place a few times.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from common import redact, strip_unsafe

from .alerts import ChannelBatch
from .base import Message, Outcome, Pacer, Permanent, Sender, SenderUnavailable, Sent, Transient
from .messages import digest_telegram_messages, telegram_messages
from .settings import TelegramSettings

__all__ = ["TelegramSender", "make_bot", "retry_after_seconds"]

log = logging.getLogger(__name__)

# BadRequest texts that mean the chat is gone for good (the rest are our own mistakes).
GONE = ("chat not found", "user is deactivated", "bot was kicked", "not enough rights", "chat_write_forbidden",
        "peer_id_invalid", "group chat was upgraded")  # fmt: skip
INLINE_RETRIES = 3
INLINE_RETRY_MAX = 30.0


def make_bot(settings: TelegramSettings, token: str, *, pool: int = 8) -> Bot:
    """A PTB Bot aimed at `api_url` (Telegram's or a self-hosted Bot API server)."""
    request = HTTPXRequest(
        connection_pool_size=pool,
        connect_timeout=min(10.0, settings.timeout),
        read_timeout=settings.timeout,
        write_timeout=settings.timeout,
        pool_timeout=settings.timeout,
    )
    return Bot(token, base_url=settings.base_url, request=request, get_updates_request=None)


def retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB settings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: TelegramError) -> Outcome:
    """Map a Bot API error to retry-later, give-up, or channel-gone."""
    if isinstance(exc, RetryAfter):
        return Transient(f"429 flood control: {exc}", retry_after_seconds(exc))
    if isinstance(exc, Forbidden):
        return Permanent(f"403 {exc.message}", deactivate=True)
    if isinstance(exc, ChatMigrated):
        return Permanent(f"group migrated to supergroup {exc.new_chat_id}", deactivate=True)
    if isinstance(exc, BadRequest):
        text = exc.message.lower()
        if any(g in text for g in GONE):
            return Permanent(f"400 {exc.message}", deactivate=True)
        return Permanent(f"400 {exc.message}", deactivate=False)
    if isinstance(exc, InvalidToken):
        raise SenderUnavailable(f"Telegram refused the bot token: {redact(exc.message)}")
    if isinstance(exc, TimedOut | NetworkError):
        return Transient(f"network: {exc.message}")
    return Transient(f"{type(exc).__name__}: {exc}")


class TelegramSender(Sender):
    kind = "telegram"

    def __init__(self, settings: TelegramSettings, token: str) -> None:
        self.settings = settings
        self.bot = make_bot(settings, token, pool=settings.concurrency + 4)
        self.overall = Pacer(1.0 / settings.rate)
        self.per_chat = Pacer(settings.per_chat_interval)
        self.slots = asyncio.Semaphore(settings.concurrency)
        self._charts: set[int] = set()  # digest messages to precede with their chart

    async def start(self) -> None:
        try:
            await self.bot.initialize()  # getMe: proves the token and the api_url
        except InvalidToken as exc:
            raise SenderUnavailable(f"Telegram refused the bot token: {redact(exc.message)}") from exc
        except TelegramError as exc:
            raise SenderUnavailable(
                f"Telegram Bot API at {self.settings.api_url} unreachable: {exc}"
            ) from exc

    async def close(self) -> None:
        try:
            await self.bot.shutdown()
        except Exception:  # pragma: no cover - shutting down a half-started bot
            log.debug("bot shutdown failed", exc_info=True)

    def render(self, batch: ChannelBatch) -> list[Message]:
        packed = telegram_messages(batch.alerts, max_per_message=self.settings.max_stories_per_message)
        out = [Message(text, alerts) for text, alerts in packed]
        for digest in batch.digests:
            parts = [
                Message(text, [], digest, progress) for text, progress in digest_telegram_messages(digest)
            ]
            if digest.trends and digest.start == 0:
                self._charts.add(id(parts[0]))  # the chart goes out once, before the first part
            out += parts
        return out

    async def _post(self, chat: str, text: str) -> None:
        await self.per_chat.wait(chat)
        await self.overall.wait()
        await self.bot.send_message(
            chat_id=chat, text=strip_unsafe(text), parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )  # fmt: skip

    async def send(self, batch: ChannelBatch, message: Message) -> Outcome:
        async with self.slots:
            digest = message.digest
            if digest is not None and id(message) in self._charts:
                self._charts.discard(id(message))
                await self._chart(batch.address, digest)
            return await self.send_text(batch.address, message.payload)

    async def _chart(self, chat: str, digest) -> None:  # noqa: ANN001
        """The digest's 14-day chart as a photo before its text (best effort: the text matters)."""
        from .chart import render_chart, trend_line

        caption = "\n".join(trend_line(t) for t in digest.trends)[:1024]
        try:
            png = await asyncio.to_thread(render_chart, digest.trends)
            await self.per_chat.wait(chat)
            await self.overall.wait()
            await self.bot.send_photo(chat_id=chat, photo=png, caption=caption)
        except TelegramError as exc:
            log.warning("digest chart to chat %s not sent (%s); the text follows", chat, exc)

    async def send_text(self, chat: str, text: str) -> Outcome:
        """One sendMessage with pacing; a short 429 is waited out and retried here."""
        for attempt in range(INLINE_RETRIES + 1):
            try:
                await self._post(chat, text)
                return Sent()
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self.per_chat.hold(chat, wait)
                if attempt == INLINE_RETRIES or wait > INLINE_RETRY_MAX:
                    return classify(exc)
                log.info("429 for chat %s: waiting %.1fs", chat, wait)
            except TelegramError as exc:
                return classify(exc)
        raise AssertionError("unreachable")  # pragma: no cover

    async def notify_admins(self, text: str) -> None:
        for chat in self.settings.admin_chats:
            outcome = await self.send_text(chat, text)
            if not isinstance(outcome, Sent):
                log.warning("could not tell admin chat %s: %s", chat, outcome)
