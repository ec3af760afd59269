"""The bot's watch commands: /follow, /watches (a remove button each), /unfollow N, /me, the deep
link's /start code, and the "follow" button under /search results. Replies in Chinese and
English; the query and every crawled or typed text is escaped (HTML parse mode)."""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from common import secret_key, strip_unsafe
from processor import watch_ops
from storage.models import Subscriber

from .follow_links import take_follow
from .tokens import me_url

__all__ = ["WatchCommands", "follow_button"]

CALLBACK_MAX = 64  # bytes of callback_data Telegram keeps
BACKFILL_MAX = 20


def _q(query: str) -> str:
    return html.escape(query[:200], quote=False)


def follow_button(query: str, context: Any) -> InlineKeyboardMarkup:
    """The "follow" button under /search results: the query rides in the button when it fits,
    else in the chat's memory under a number (a restart forgets it: search again)."""
    data = f"fq:{query}"
    if len(data.encode()) > CALLBACK_MAX:
        kept = context.chat_data.setdefault("follow_queries", {})
        n = len(kept) + 1
        kept[str(n)] = query
        data = f"fn:{n}"
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("🔔 关注此搜索 Follow this search", callback_data=data)]]
    )


class WatchCommands:
    """Mixed into notifiers.bot.BotHandlers (self.db, self._for_chat, self._reply, self.public_url)."""

    db: Any
    public_url: str
    config: Any

    def _secret(self) -> bytes | None:
        return secret_key(self.db)

    def _add(self, query: str, topics: list[str] | None = None, sources: list[str] | None = None,
             backfill: int = 0) -> Any:  # fmt: skip
        def work(s: Session, sub: Subscriber) -> tuple[str, str]:
            try:
                wid = watch_ops.add(s, sub.id, query, topics or [], sources or [], self.config)
            except watch_ops.WatchProblem as exc:
                return "", f"{html.escape(exc.zh)}\n{html.escape(str(exc))}"
            sent = watch_ops.backfill(s, wid, min(backfill, BACKFILL_MAX)) if backfill else 0
            extra = f"\n已补发最近 {sent} 条 Sending the {sent} most recent matches." if sent else ""
            return "ok", f"🔔 已关注 Following: <b>{_q(query)}</b>{extra}\n/watches"

        return work

    async def follow(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/follow <query>: a watch for this chat, in the archive search's query syntax."""
        query = " ".join(w for w in context.args or [] if w.strip())
        if not query:
            await self._reply(
                update, "用法 Usage: /follow &lt;关键词 words&gt;，例如 e.g. /follow 数字人民币 -冬奥"
            )
            return
        _, text = await self._for_chat(update, self._add(query))
        await self._reply(update, text)

    def _listing(self, s: Session, sub: Subscriber) -> tuple[str, InlineKeyboardMarkup | None]:
        rows = watch_ops.rows(s, sub.id)
        if not rows:
            return "尚未关注任何搜索 You follow no search yet: /follow &lt;words&gt;", None
        lines = ["<b>关注的搜索 Searches you follow</b>"]
        buttons = []
        for n, w in enumerate(rows, 1):
            paused = " ⏸" if w.paused else ""
            lines.append(f"{n}. {_q(w.query)} — 30 天 {w.matches} 条 ({w.matches} in 30 days){paused}")
            buttons.append(
                [InlineKeyboardButton(strip_unsafe(f"❌ {n}. {w.query[:30]}"), callback_data=f"w:{w.id}")]
            )
        lines.append("取消关注 Stop one: /unfollow N")
        return "\n".join(lines), InlineKeyboardMarkup(buttons)

    async def watches(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/watches: the chat's watches, numbered, with a remove button each."""
        text, markup = await self._for_chat(update, self._listing)
        await self._reply(update, text, reply_markup=markup)

    async def unfollow(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/unfollow N: remove the watch numbered N in /watches."""
        arg = "".join(context.args or []).strip()
        if not arg.isdigit():
            await self._reply(update, "用法 Usage: /unfollow N（/watches 中的编号 the number in /watches）")
            return

        def work(s: Session, sub: Subscriber) -> str:
            rows = watch_ops.rows(s, sub.id)
            n = int(arg)
            if not 1 <= n <= len(rows):
                return f"没有第 {n} 个关注 No followed search number {n}: /watches"
            watch_ops.remove(s, sub.id, rows[n - 1].id)
            return f"已取消关注 Stopped following: {_q(rows[n - 1].query)}"

        await self._reply(update, await self._for_chat(update, work))

    async def watch_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline button under /watches: remove that watch, then redraw the list."""
        cq = update.callback_query
        raw = (cq.data or "")[2:]

        def work(s: Session, sub: Subscriber) -> tuple[bool, str, InlineKeyboardMarkup | None]:
            done = raw.isdigit() and watch_ops.remove(s, sub.id, int(raw))
            s.flush()
            return done, *self._listing(s, sub)

        done, text, markup = await self._for_chat(update, work)
        await cq.answer("已取消关注 Removed" if done else "已不存在 Already gone")
        await cq.edit_message_text(strip_unsafe(text), parse_mode="HTML", reply_markup=markup)

    async def follow_search_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The "follow" button under /search results."""
        cq = update.callback_query
        data = cq.data or ""
        query = (
            data[3:]
            if data.startswith("fq:")
            else (context.chat_data or {}).get("follow_queries", {}).get(data[3:])
        )
        if not query:
            await cq.answer("请重新搜索 Search again, then tap follow")
            return
        ok, text = await self._for_chat(update, self._add(query))
        await cq.answer("已关注 Following" if ok else "未能关注 Not followed")
        await self._reply(update, text)

    async def start_link(self, update: Update, code: str) -> None:
        """/start <code> from the web's "follow in Telegram" deep link: the watch for this chat."""

        def take(s: Session, sub: Subscriber) -> tuple[str, str]:
            wanted, problem = take_follow(s, self._secret(), code)
            if wanted is None:
                return "", (
                    "此关注链接已过期，请在网页上重新点击 This follow link has expired: tap follow on the web page again"
                    if problem == "expired"
                    else "此链接无效 This link is not valid"
                )
            return self._add(str(wanted.get("q", "")), wanted.get("topics"), wanted.get("sources"),
                             int(wanted.get("b") or 0))(s, sub)  # fmt: skip

        _, text = await self._for_chat(update, take)
        await self._reply(update, text)

    async def me(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/me: a signed link to the chat's own page on the web."""
        secret = self._secret()
        if not secret or not self.public_url:
            await self._reply(update, "网页未配置 The web pages are not set up here.")
            return
        sub_id = await self._for_chat(update, lambda s, sub: sub.id)
        link = me_url(self.public_url, sub_id, secret)
        await self._reply(
            update,
            f'<a href="{html.escape(link, quote=True)}">管理我的订阅 Manage your alerts</a>\n'
            "（此链接即钥匙，请勿转发 The link is the key: do not forward it）",
        )
