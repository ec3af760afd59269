"""Follow this search: the form under every search's results turns the query into a watch.

By email, as sign-up does: a new (or unsubscribed) address gets a confirmation mail first (double
opt-in); an address already confirmed gets the watch at once and a "watch added" mail whose undo
link removes it. By Telegram: a deep link into the bot (notifiers.follow_links), which makes the
watch for the chat that opens it. The optional backfill sends the most recent matches once.
"""

from __future__ import annotations

import asyncio
import html
import logging
import smtplib
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

import search
from common import is_email
from notifiers import notifier_settings
from notifiers.email_style import email_page
from notifiers.follow_links import deep_link
from notifiers.tokens import me_url
from processor import watch_ops
from storage.subscribers import channel, subscriber_for_channel

from .app import page
from .csrf import check_csrf, form_data
from .errors import BadRequest
from .forms import CONFIRM_HOURS, _send
from .i18n import translator
from .settings import request_client

__all__ = ["BACKFILL", "follow_unavailable", "router", "telegram_bot"]

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
BACKFILL = 5  # stories the backfill box sends
UNDO_DAYS = 30


def telegram_bot(request: Request) -> str:
    """The bot's user name when deep links can be made ([telegram] bot_username and a link key)."""
    tg = notifier_settings(request.app.state.config).telegram
    return tg.bot_username if tg is not None and request.app.state.keys.link_key else ""


def follow_unavailable(request: Request) -> str | None:
    """Why following by email cannot work here (in the page's language), or None."""
    t = translator(request.state.lang)
    if not request.app.state.keys.link_key:
        return t("no_secret")
    if notifier_settings(request.app.state.config).email is None:
        return t("no_email")
    return None


def _request(request: Request, form: dict[str, list[str]]) -> dict[str, Any]:
    """The search to follow, checked as search checks it (a query that can never match is refused)."""
    st = request.app.state
    q = (form.get("q") or [""])[0].strip()
    try:
        search.parse_query(q)
    except search.QueryError as exc:
        raise BadRequest(f"q: {exc}") from None
    topic = (form.get("topic") or [""])[0]
    source = (form.get("source") or [""])[0]
    return {
        "q": q,
        "topics": [topic] if topic in st.topic_names else [],
        "sources": [source] if source in st.sources else [],
        "b": BACKFILL if (form.get("backfill") or [""])[0] == "1" else 0,
    }


def _mail(subject: str, lines_zh: list[str], lines_en: list[str], link: str) -> tuple[str, str, str]:
    text = "\n".join(lines_zh) + f"\n{link}\n\n" + "\n".join(lines_en) + f"\n{link}\n"
    href = html.escape(link, quote=True)
    body = "".join(f"<p>{html.escape(x)}</p>" for x in lines_zh + lines_en)
    return subject, text, email_page(f'<div>{body}<p><a href="{href}">{href}</a></p></div>')


def _watch(session: Any, sub_id: int, wanted: dict[str, Any], config: Any) -> int:
    wid = watch_ops.add(session, sub_id, wanted["q"], wanted["topics"], wanted["sources"], config)
    if wanted.get("b"):
        watch_ops.backfill(session, wid, int(wanted["b"]))
    return wid


@router.post("/follow", response_class=HTMLResponse)
async def follow_by_email(request: Request) -> HTMLResponse:
    form = await form_data(request)
    check_csrf(request, form)
    why = follow_unavailable(request)
    if why:
        raise BadRequest(why, status=503)
    st, t = request.app.state, translator(request.state.lang)
    wanted = _request(request, form)
    address = (form.get("email") or [""])[0].strip()
    if not is_email(address):
        raise BadRequest(t("bad_email"), zh=translator("zh")("bad_email"))
    wait = st.mail_limiter.take(request_client(request), address.lower())
    if wait:
        raise BadRequest(f"too many mails asked for: try again in {wait // 60 + 1} minutes", status=429,
                         zh=f"邮件请求过多，请 {wait // 60 + 1} 分钟后再试")  # fmt: skip
    mail, message, added = await run_in_threadpool(_follow, request, address, wanted)
    try:
        await asyncio.to_thread(_send, notifier_settings(st.config).email, address, *mail)
    except (smtplib.SMTPException, OSError) as exc:
        if added:  # the watch exists: say so, and that its notice (with the undo link) did not go
            log.warning(
                "watch added for %s but its notice mail failed: %s: %s", address, type(exc).__name__, exc
            )
            return page(request, "message.html", heading="✓", message=t("watch_added_no_mail", q=wanted["q"]))
        raise BadRequest(f"the mail could not be sent ({type(exc).__name__}: {exc}); try again later", status=503,
                         zh="邮件未能发送，请稍后再试") from None  # fmt: skip
    return page(request, "message.html", heading="✉", message=message)


def _follow(request: Request, address: str, wanted: dict[str, Any]) -> tuple[tuple[str, str, str], str, bool]:
    """The mail to send, the page's message, and whether a watch was added now (a confirmed
    address) rather than a confirmation asked for."""
    st, en, q = request.app.state, request.state.lang == "en", wanted["q"]
    with st.db.session() as s:
        known = channel(s, "email", address)
        if known is not None and known.active:
            try:
                wid = _watch(s, known.subscriber_id, wanted, st.config)
            except watch_ops.WatchProblem as exc:
                raise BadRequest(str(exc), zh=exc.zh) from None
            s.commit()
            link = f"{st.public_url}/follow/undo?token={quote(st.keys.dumps('watch-undo', wid))}"
            mail = _mail(
                "[newsradar] 已关注此搜索 Search followed",
                [f"已为 {address} 关注搜索「{q}」。如非本人操作，请打开以下链接撤销："],
                [f"{address} now follows the search “{q}”. If you did not ask for this, undo it here:"],
                link,
            )
            say = (
                f"Following “{q}”: a mail went to {address}."
                if en
                else f"已关注「{q}」，通知邮件已发送至 {address}。"
            )
            return mail, say, True
    token = st.keys.dumps("follow", {"e": address, **wanted})
    link = f"{st.public_url}/follow/confirm?token={quote(token)}"
    mail = _mail(
        "[newsradar] 请确认关注 Please confirm",
        [f"请打开以下链接确认关注搜索「{q}」，{CONFIRM_HOURS} 小时内有效；如非本人操作，请忽略此邮件。"],
        [f"Open this link to follow the search “{q}” (valid {CONFIRM_HOURS} hours); if you did not ask, ignore this mail."],
        link,
    )  # fmt: skip
    say = (f"A confirmation mail went to {address}: open its link to follow “{q}”." if en
           else f"确认邮件已发送至 {address}，请点击邮件中的链接完成关注「{q}」。")  # fmt: skip
    return mail, say, False


@router.get("/follow/confirm", response_class=HTMLResponse)
def follow_confirm(request: Request, token: str = "") -> HTMLResponse:
    st = request.app.state
    wanted, problem = st.keys.loads("follow", token, CONFIRM_HOURS * 3600)
    if not isinstance(wanted, dict):
        raise BadRequest(
            "this confirmation link has expired: follow the search again" if problem == "expired"
            else "this confirmation link is not valid", status=410 if problem == "expired" else 400,
            zh="确认链接已过期，请重新关注" if problem == "expired" else "确认链接无效",
        )  # fmt: skip
    address = str(wanted.get("e", ""))
    with st.db.session() as s:
        sub = subscriber_for_channel(s, "email", address, name=address)
        try:
            _watch(s, sub.id, wanted, st.config)
        except watch_ops.WatchProblem as exc:
            raise BadRequest(str(exc), zh=exc.zh) from None
        s.commit()
        sub_id = sub.id
    t = translator(request.state.lang)
    link = me_url(st.public_url, sub_id, st.keys.link_key)
    return page(request, "message.html", heading="✓", message=t("watch_confirmed", q=wanted.get("q", ""), addr=address),
                link=(link, t("me")))  # fmt: skip


def _undo_watch(request: Request, token: str) -> int:
    wid, problem = request.app.state.keys.loads("watch-undo", token, UNDO_DAYS * 86400)
    if not isinstance(wid, int):
        raise BadRequest("this undo link is not valid or has expired: manage your searches on your own page (/me)",
                         status=410 if problem == "expired" else 400, zh="撤销链接无效或已过期：请在“我的订阅”页面管理")  # fmt: skip
    return wid


@router.get("/follow/undo", response_class=HTMLResponse)
def undo_page(request: Request, token: str = "") -> HTMLResponse:
    _undo_watch(request, token)  # a GET only asks: mail scanners open links
    return page(request, "follow_undo.html", token=token, done=False)


@router.post("/follow/undo", response_class=HTMLResponse)
async def undo(request: Request) -> HTMLResponse:
    form = await form_data(request)
    check_csrf(request, form)
    token = (form.get("token") or [""])[0]
    wid = _undo_watch(request, token)

    def drop() -> None:
        with request.app.state.db.session() as s:
            watch_ops.remove(s, None, wid)
            s.commit()

    await run_in_threadpool(drop)
    return page(request, "follow_undo.html", token="", done=True)


@router.post("/follow/telegram")
async def follow_by_telegram(request: Request) -> Response:
    """Keep the search for the bot and send the browser to the bot's deep link."""
    form = await form_data(request)
    check_csrf(request, form)
    bot = telegram_bot(request)
    if not bot:
        raise BadRequest("following by Telegram is not set up here ([telegram] bot_username)", status=503,
                         zh="此处未配置 Telegram 关注（[telegram] bot_username）")  # fmt: skip
    wanted = _request(request, form)
    st = request.app.state

    def keep() -> str:
        with st.db.session() as s:
            url = deep_link(s, st.keys.link_key, bot, wanted)
            s.commit()
            return url

    return RedirectResponse(await run_in_threadpool(keep), status_code=303)
