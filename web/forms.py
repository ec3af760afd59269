"""Email subscription with double opt-in, one-click unsubscribe (RFC 8058) and digest links.

Confirm and digest links are itsdangerous tokens that expire; unsubscribe links are the
notifiers.tokens tokens alert emails already carry (they never expire: an old email's link must
keep working). Every form carries a CSRF token; the RFC 8058 one-click POST needs none, because
the signed token in its URL is the authority and mail clients send no cookies.
"""

from __future__ import annotations

import asyncio
import html
import smtplib
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from common import is_email, smtp_password
from notifiers import notifier_settings
from notifiers.email_style import email_page
from notifiers.tokens import UNSUBSCRIBE_DAYS, check
from storage import Channel
from storage.subscribers import MODES, subscribe, subscriber_for_channel, unsubscribe_channel

from .app import page
from .csrf import check_csrf, form_data
from .errors import BadRequest
from .i18n import translator
from .settings import request_client

__all__ = ["CONFIRM_HOURS", "digests_url", "router"]

router = APIRouter(include_in_schema=False)
CONFIRM_HOURS = 48


def _unavailable(request: Request) -> str | None:
    """Why subscriptions cannot work here (in the page's language), or None."""
    t = translator(request.state.lang)
    if not request.app.state.keys.link_key:
        return t("no_secret")
    if notifier_settings(request.app.state.config).email is None:
        return t("no_email")
    return None


def digests_url(request: Request, subscriber_id: int) -> str:
    token = request.app.state.keys.dumps("digests", subscriber_id)
    return f"{request.app.state.public_url}/digests?token={quote(token)}"


@router.get("/subscribe", response_class=HTMLResponse)
def subscribe_form(request: Request) -> HTMLResponse:
    return page(
        request, "subscribe.html", unavailable=_unavailable(request), modes=MODES, chosen=[], email=""
    )


def _confirm_mail(request: Request, link: str, names: list[str]) -> tuple[str, str, str]:
    topics = "、".join(names)
    subject = "[newsradar] 请确认订阅 Please confirm your subscription"
    text = (
        f"请打开以下链接确认订阅（{topics}），{CONFIRM_HOURS} 小时内有效：\n{link}\n\n"
        f"Open this link to confirm your subscription ({topics}); it is valid for {CONFIRM_HOURS} hours:\n{link}\n\n"
        "如果不是您本人操作，请忽略此邮件。 If you did not ask for this, ignore this mail.\n"
    )
    href = html.escape(link)
    body = (
        f"<p>请点击链接确认订阅（{html.escape(topics)}），{CONFIRM_HOURS} 小时内有效：</p>"
        f'<p><a href="{href}">{href}</a></p><p>Open the link to confirm; valid {CONFIRM_HOURS} hours. '
        "If you did not ask for this, ignore this mail.</p>"
    )
    return subject, text, email_page(f"<div>{body}</div>")  # styled like every newsradar mail


@router.post("/subscribe", response_class=HTMLResponse)
async def subscribe_post(request: Request) -> HTMLResponse:
    form = await form_data(request)
    check_csrf(request, form)
    st = request.app.state
    why = _unavailable(request)
    address = (form.get("email") or [""])[0].strip()
    chosen = [t for t in form.get("topics", []) if t]
    mode = (form.get("mode") or ["both"])[0]
    problems, say = [], translator(request.state.lang)
    if not is_email(address):
        problems.append(say("bad_email"))
    unknown = [t for t in chosen if t not in st.topic_names]
    if unknown or not chosen:
        problems.append(say("unknown_topic", x=unknown[0][:50]) if unknown else say("choose_one_topic"))
    if mode not in MODES:
        problems.append(say("unknown_mode"))
    if why or problems:
        return page(
            request, "subscribe.html", status=503 if why else 400, unavailable=why, problems=problems,
            modes=MODES, chosen=chosen, email=address,
        )  # fmt: skip
    wait = st.mail_limiter.take(request_client(request), address.lower())
    if wait:
        minutes = wait // 60 + 1
        raise BadRequest(
            f"too many confirmation mails asked for: try again in {minutes} minutes",
            status=429,
            zh=f"确认邮件请求过多，请 {minutes} 分钟后再试",
        )
    token = st.keys.dumps("confirm", {"e": address, "t": chosen, "m": mode})
    link = f"{st.public_url}/subscribe/confirm?token={quote(token)}"
    subject, text, body = _confirm_mail(request, link, [st.topic_names[t] for t in chosen])
    email = notifier_settings(st.config).email
    try:
        await asyncio.to_thread(_send, email, address, subject, text, body)
    except (smtplib.SMTPException, OSError) as exc:
        raise BadRequest(
            f"the confirmation mail could not be sent ({type(exc).__name__}: {exc}); nothing was saved, please try again later",
            status=503,
        ) from None
    t = request.state.lang
    message = (
        f"A confirmation mail went to {address}: open its link to confirm (valid {CONFIRM_HOURS} hours)."
        if t == "en"
        else f"确认邮件已发送至 {address}，请点击邮件中的链接完成订阅（{CONFIRM_HOURS} 小时内有效）。"
    )
    return page(request, "message.html", heading="✉", message=message)


def _send(email: Any, to: str, subject: str, text: str, body: str) -> None:
    from notifiers.mail import send_one

    send_one(email, smtp_password(), to, subject, text, body)


@router.get("/subscribe/confirm", response_class=HTMLResponse)
def confirm(request: Request, token: str = "") -> HTMLResponse:
    st = request.app.state
    payload, problem = st.keys.loads("confirm", token, CONFIRM_HOURS * 3600)
    if payload is None:
        why = (
            "this confirmation link has expired: subscribe again"
            if problem == "expired"
            else "this confirmation link is not valid"
        )
        zh = "确认链接已过期，请重新订阅" if problem == "expired" else "确认链接无效"
        raise BadRequest(why, status=410 if problem == "expired" else 400, zh=zh)
    address = str(payload.get("e", ""))
    topics = [t for t in payload.get("t", []) if t in st.topic_names]
    with st.db.session() as s:
        sub = subscriber_for_channel(s, "email", address, name=address)
        if payload.get("m") in MODES:
            sub.mode = payload["m"]
        for t in topics:
            subscribe(s, sub.id, t)
        s.commit()
        sub_id = sub.id
    en = request.state.lang == "en"
    names = (", " if en else "、").join((st.topic_names_en if en else st.topic_names)[t] for t in topics)
    message = (
        f"Confirmed: {address} will get news on {names}." if request.state.lang == "en"
        else f"订阅已确认：{address} 将收到 {names} 的新闻。"
    )  # fmt: skip
    return page(request, "message.html", heading="✓", message=message,
                link=(digests_url(request, sub_id), translator(request.state.lang)("digests")))  # fmt: skip


def _channel(request: Request, token: str) -> Channel:
    secret = request.app.state.keys.link_key
    channel_id, problem = check(token, secret) if secret and token else (None, "invalid")
    if problem == "expired":
        raise BadRequest(
            f"this unsubscribe link has expired (links work for {UNSUBSCRIBE_DAYS} days): use the link "
            "at the foot of a recent email from newsradar, each carries a fresh one",
            status=410,
            zh=f"退订链接已过期（有效期 {UNSUBSCRIBE_DAYS} 天）：请使用最近一封 newsradar 邮件底部的链接",
        )
    if channel_id is None:
        raise BadRequest("this unsubscribe link is not valid (it may be cut short: copy the whole link)",
                         zh="退订链接无效（可能不完整：请复制完整链接）")  # fmt: skip
    with request.app.state.db.session() as s:
        ch = s.scalar(select(Channel).where(Channel.id == channel_id))
    if ch is None:
        raise BadRequest("this address is no longer subscribed (nothing to do)", status=404)
    return ch


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str = "") -> HTMLResponse:
    ch = _channel(request, token)
    return page(request, "unsubscribe.html", channel=ch, token=token, done=not ch.active)


@router.post("/unsubscribe")
async def unsubscribe_post(request: Request) -> Response:
    form = await form_data(request)
    # The reads and the write wait for the database: in the thread pool, never on the daemon's loop.
    return await run_in_threadpool(_unsubscribe, request, form)


def _unsubscribe(request: Request, form: dict[str, list[str]]) -> Response:
    token = request.query_params.get("token") or (form.get("token") or [""])[0]
    one_click = (form.get("List-Unsubscribe") or [""])[0] == "One-Click"
    if not one_click:
        check_csrf(request, form)
    ch = _channel(request, token)
    with request.app.state.db.session() as s:
        unsubscribe_channel(s, ch.id)
        s.commit()
    if one_click:
        return PlainTextResponse("unsubscribed\n")
    return page(request, "unsubscribe.html", channel=ch, token=token, done=True)
