"""The Telegram bot (long polling): people subscribe, pause and search from their chat.

A chat is a subscriber with one channel of kind "telegram" whose address is the chat id; the
bot creates it on first contact. Alerts themselves go through the outbox and `dispatch`.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from common import strip_unsafe
from search import QueryError
from search import search_stories as search_archive
from storage import Database
from storage.models import Subscriber
from storage.subscribers import set_paused, subscribe, subscriber_for_channel, unsubscribe

from .bot_watches import WatchCommands, follow_button
from .messages import TELEGRAM_LIMIT, utf16_len
from .settings import TelegramSettings

__all__ = ["HELP", "build_application"]

log = logging.getLogger(__name__)

COMMANDS = [
    ("topics", "主题列表，一键订阅 / list topics, tap to (un)subscribe"),
    ("subscribe", "订阅主题 /subscribe <主题> / follow a topic"),
    ("unsubscribe", "取消订阅 /unsubscribe <主题> / stop following a topic"),
    ("mysubs", "我的订阅 / what you follow"),
    ("search", "搜索存档 /search <关键词> / search the archive"),
    ("follow", "关注搜索 /follow <关键词> / alert me on a search"),
    ("watches", "关注的搜索 / the searches you follow"),
    ("unfollow", "取消关注 /unfollow <编号> / stop following search N"),
    ("me", "我的订阅页面 / your page on the web"),
    ("pause", "暂停提醒 / pause alerts"),
    ("resume", "恢复提醒 / resume alerts"),
    ("help", "帮助 / help"),
]

HELP = (
    "<b>newsradar</b> 监测政府与财经新闻，按主题推送提醒。\n"
    "newsradar watches Chinese government and finance news and alerts you by topic.\n\n"
    + "\n".join(f"/{name} — {html.escape(text, quote=False)}" for name, text in COMMANDS)
)
SEARCH_RESULTS = 8
T = TypeVar("T")


class BotHandlers(WatchCommands):
    """Command handlers bound to one database and topic list.

    Database work runs in a worker thread (asyncio.to_thread), as the dispatcher's does: a
    SQLite lock may hold a session for up to busy_timeout (30 s), and the event loop must keep
    polling and answering meanwhile.
    """

    def __init__(self, db: Database, topics: Sequence[Any], public_url: str = "", config: Any = None) -> None:
        self.db, self.config = db, config  # config: [watches] limits
        self.public_url = public_url.rstrip("/")
        self.topics = {t.id: (getattr(t, "name", None) or t.id) for t in topics}

    # -- helpers ---------------------------------------------------------------------------
    def _in_session(self, chat_id: str, name: str, work: Callable[[Session, Subscriber], T]) -> T:
        """In a worker thread: `work` on this chat's subscriber (made on first contact); commits."""
        with self.db.session() as s:
            sub = subscriber_for_channel(s, "telegram", chat_id, name=name)
            out = work(s, sub)
            s.commit()
            return out

    async def _for_chat(self, update: Update, work: Callable[[Session, Subscriber], T]) -> T:
        """Run `work(session, subscriber)` for the update's chat off the event loop."""
        chat = update.effective_chat
        name = (chat.username or chat.title or chat.full_name or "") if chat else ""
        return await asyncio.to_thread(self._in_session, str(chat.id), name or "", work)

    def _search(self, query: str) -> Any:
        """One page of the archive's full-text search, in a worker thread's session."""
        with self.db.session() as s:
            return search_archive(s, query, limit=SEARCH_RESULTS)

    def _topic_of(self, arg: str) -> str | None:
        arg = arg.strip()
        if arg in self.topics:
            return arg
        for tid, label in self.topics.items():
            if arg and (arg == label or arg in label.split(" / ")):
                return tid
        return None

    def _keyboard(self, followed: set[str]) -> InlineKeyboardMarkup:
        rows = [
            [InlineKeyboardButton(f"{'✅' if tid in followed else '➕'} {label}", callback_data=f"t:{tid}")]
            for tid, label in self.topics.items()
            if len(f"t:{tid}".encode()) <= 64
        ]
        return InlineKeyboardMarkup(rows)

    def _unknown(self, arg: str) -> str:
        known = "\n".join(
            f"<code>{html.escape(t)}</code> {html.escape(label)}" for t, label in self.topics.items()
        )
        return f"未知主题 Unknown topic {html.escape(arg)!s}.\n可选 Topics:\n{known}"

    @staticmethod
    async def _reply(update: Update, text: str, **kw: Any) -> None:
        await update.effective_message.reply_text(
            strip_unsafe(text),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            **kw,
        )

    # -- commands --------------------------------------------------------------------------
    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Register the chat as a subscriber and show help; with a code (the web's deep link), follow."""
        if context.args:
            await self.start_link(update, context.args[0])
            return
        await self._for_chat(update, lambda s, sub: None)
        await self._reply(update, "欢迎！Welcome!\n\n" + HELP)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the commands in Chinese and English."""
        await self._reply(update, HELP)

    async def topics_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List topics with a subscribe/unsubscribe button each."""
        followed = await self._for_chat(update, lambda s, sub: {x.topic_id for x in sub.subscriptions})
        await self._reply(
            update, "点击订阅或取消 Tap to subscribe or unsubscribe:", reply_markup=self._keyboard(followed)
        )

    async def toggle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline button: follow or unfollow one topic, then redraw the buttons."""
        query = update.callback_query
        tid = (query.data or "")[2:]
        if tid not in self.topics:
            await query.answer("未知主题 unknown topic")
            return

        def flip(s: Session, sub: Subscriber) -> tuple[str, set[str]]:
            if subscribe(s, sub.id, tid):
                note = f"已订阅 Subscribed: {self.topics[tid]}"
            else:
                unsubscribe(s, sub.id, tid)
                note = f"已取消 Unsubscribed: {self.topics[tid]}"
            s.commit()
            s.refresh(sub)
            return note, {x.topic_id for x in sub.subscriptions}

        note, followed = await self._for_chat(update, flip)
        await query.answer(note)
        await query.edit_message_text(
            "点击订阅或取消 Tap to subscribe or unsubscribe:", reply_markup=self._keyboard(followed)
        )

    async def subscribe_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Follow the topic named in the argument (or show the topic buttons)."""
        if not context.args:
            await self.topics_cmd(update, context)
            return
        await self._change_topic(
            update, context.args, subscribe, "已订阅 Subscribed", "已在订阅中 Already following"
        )

    async def unsubscribe_cmd(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop following the topic named in the argument."""
        if not context.args:
            await self._reply(update, "用法 Usage: /unsubscribe &lt;topic&gt;")
            return
        await self._change_topic(
            update, context.args, unsubscribe, "已取消 Unsubscribed", "本未订阅 Not following"
        )

    async def _change_topic(
        self, update: Update, args: Sequence[str], change: Callable[..., bool], changed: str, unchanged: str
    ) -> None:
        """/subscribe or /unsubscribe <topic>: `change(session, subscriber_id, topic_id)` says
        whether it changed anything; the reply is `changed` or `unchanged` with the topic's label."""
        arg = " ".join(args)
        tid = self._topic_of(arg)
        if tid is None:
            await self._reply(update, self._unknown(arg))
            return
        done = await self._for_chat(update, lambda s, sub: change(s, sub.id, tid))
        await self._reply(update, f"{changed if done else unchanged}: {html.escape(self.topics[tid])}")

    async def mysubs(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show what this chat follows and whether alerts are paused."""

        def read(s: Session, sub: Subscriber) -> tuple[list[tuple[str, list[str], list[str]]], bool, str]:
            rows = [(x.topic_id, list(x.sources or []), list(x.keywords or [])) for x in sub.subscriptions]
            return rows, sub.paused, sub.mode

        rows, paused, mode = await self._for_chat(update, read)
        if not rows:
            await self._reply(update, "尚未订阅任何主题 You follow no topic yet: /topics")
            return
        lines = ["<b>我的订阅 Your topics</b>"]
        for tid, sources, keywords in rows:
            extra = ""
            if sources:
                extra += f" [{html.escape(', '.join(sources))}]"
            if keywords:
                extra += f" ({html.escape(', '.join(keywords))})"
            lines.append(f"• {html.escape(self.topics.get(tid, tid))}{extra}")
        lines.append(f"模式 mode: {mode}" + ("  ⏸ 已暂停 paused (/resume)" if paused else ""))
        await self._reply(update, "\n".join(lines))

    async def search(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The best archived stories for the words (the archive's full-text search, one line per story)."""
        query = " ".join(w for w in context.args or [] if w.strip())
        if not query:
            await self._reply(update, "用法 Usage: /search &lt;关键词 words&gt;")
            return
        try:
            page = await asyncio.to_thread(self._search, query)
        except QueryError as exc:
            await self._reply(update, html.escape(str(exc), quote=False))
            return
        if not page.hits:
            await self._reply(update, f"没有找到 Nothing found for {html.escape(query)}")
            return
        lines = [f"<b>🔎 {html.escape(query[:100])}</b> — 共 {page.total} 条 {page.total} found"]
        for hit in page.hits:
            when = f"{hit.published_at:%Y-%m-%d}" if hit.published_at else "?"
            safe_title = html.escape((hit.title or "(untitled)")[:200], quote=False)
            entry = f'• <a href="{html.escape(hit.url, quote=True)}">{safe_title}</a> — {html.escape(hit.source)} {when}'
            if hit.copies:  # one line per story, however many sources carried it
                entry += f" (+{len(hit.copies)} 转载 reprints)"
            if utf16_len("\n".join([*lines, entry])) > TELEGRAM_LIMIT:
                break
            lines.append(entry)
        await self._reply(update, "\n".join(lines), reply_markup=follow_button(query, context))

    async def pause(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop alerts to this chat until /resume."""
        await self._for_chat(update, lambda s, sub: set_paused(s, sub.id, True))
        await self._reply(update, "⏸ 已暂停提醒 Alerts paused. /resume")

    async def resume(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Start sending alerts again."""
        await self._for_chat(update, lambda s, sub: set_paused(s, sub.id, False))
        await self._reply(update, "▶️ 已恢复提醒 Alerts resumed.")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log handler errors instead of dying; the next update gets a fresh chance."""
        log.error("bot handler failed for %r", update, exc_info=context.error)


async def _set_commands(app: Application) -> None:
    await app.bot.set_my_commands([BotCommand(n, t.split(" / ")[-1][:256]) for n, t in COMMANDS])
    await app.bot.set_my_commands(
        [BotCommand(n, t.split(" / ")[0][:256]) for n, t in COMMANDS], language_code="zh"
    )


def build_application(
    db: Database,
    settings: TelegramSettings,
    token: str,
    topics: Sequence[Any],
    public_url: str = "",
    config: Any = None,
) -> Application:
    """A PTB Application with our handlers, talking to settings.api_url; `public_url`: the web
    archive's address, for /me links."""
    h = BotHandlers(db, topics, public_url, config)
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.base_url)
        .base_file_url(f"{settings.api_url.rstrip('/')}/file/bot")
        .connect_timeout(min(10.0, settings.timeout))
        .read_timeout(settings.timeout)
        .post_init(_set_commands)
        .build()
    )
    app.add_handler(CommandHandler("start", h.start))
    app.add_handler(CommandHandler("help", h.help))
    app.add_handler(CommandHandler("topics", h.topics_cmd))
    app.add_handler(CommandHandler("subscribe", h.subscribe_cmd))
    app.add_handler(CommandHandler("unsubscribe", h.unsubscribe_cmd))
    app.add_handler(CommandHandler("mysubs", h.mysubs))
    app.add_handler(CommandHandler("search", h.search))
    app.add_handler(CommandHandler("pause", h.pause))
    app.add_handler(CommandHandler("resume", h.resume))
    for name, handler in (
        ("follow", h.follow),
        ("watches", h.watches),
        ("unfollow", h.unfollow),
        ("me", h.me),
    ):
        app.add_handler(CommandHandler(name, handler))
    app.add_handler(CallbackQueryHandler(h.toggle, pattern=r"^t:"))
    app.add_handler(CallbackQueryHandler(h.watch_button, pattern=r"^w:"))
    app.add_handler(CallbackQueryHandler(h.follow_search_button, pattern=r"^f[qn]:"))
    app.add_error_handler(h.on_error)
    return app
