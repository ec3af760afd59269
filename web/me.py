"""A subscriber's own page, /me: topics, watches, mode, digest time and zone, channels, pause all,
unsubscribe all, with no password.

The way in is a signed link (notifiers.tokens.me_url) in every email and digest and in the bot's
/me answer. Opening it sets a short-lived signed cookie naming the subscriber, so the page's own
links (the language switch) and its forms need no token in the URL; every form carries a CSRF
token. Changes are plain row updates: fan-out and digests read them for the next story.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from common import is_time_of_day
from common.signing import read_token, sign_token
from notifiers.tokens import me_subscriber
from processor import watch_ops
from storage.models import Channel
from storage.subscribers import (
    MODES,
    SubscriberError,
    deactivate_channel,
    get_subscriber,
    set_paused,
    subscribe,
    unsubscribe,
    update_subscriber,
)

from . import me_watches
from .app import page
from .csrf import check_csrf, form_data
from .errors import BadRequest

__all__ = ["ME_COOKIE", "router", "signed_in", "view"]

router = APIRouter(include_in_schema=False)
ME_COOKIE = "nr_me"
SESSION_HOURS = 12
SESSION_PURPOSE = "me-session"
DONE = ("topics", "settings", "channels", "paused", "resumed", "unsubscribed", "watch_added",
        "watch_saved", "watch_removed")  # fmt: skip
ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Tokyo", "Europe/London",
         "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")  # fmt: skip


def _no_way_in(problem: str | None = None) -> BadRequest:
    if problem == "expired":
        return BadRequest(
            "this link to your page has expired: use the link in a newer mail from newsradar, or send /me to the bot",
            status=410,
            zh="此链接已过期：请使用 newsradar 最近一封邮件中的链接，或向机器人发送 /me",
        )
    return BadRequest(
        "open your page through the link at the foot of a newsradar mail, or send /me to the bot "
        "(no password: the link is the key)",
        status=403,
        zh="请通过 newsradar 邮件底部的链接打开您的页面，或向机器人发送 /me（无需密码：链接即钥匙）",
    )


def signed_in(request: Request) -> int:
    """The subscriber the /me cookie names, else a 403 saying how to get in."""
    cookie = request.cookies.get(ME_COOKIE) or ""
    sub_id, _ = read_token(request.app.state.keys.link_key, SESSION_PURPOSE, cookie, SESSION_HOURS * 3600)
    if not isinstance(sub_id, int) or isinstance(sub_id, bool):
        raise _no_way_in()
    return sub_id


def _digest(request: Request) -> tuple[str, str]:
    """[digest] time and timezone (the defaults when the section is absent)."""
    digest = (getattr(request.app.state.config, "sections", None) or {}).get("digest")
    return getattr(digest, "time", "08:00"), getattr(digest, "timezone", "Asia/Shanghai")


def view(request: Request, sub_id: int, status: int = 200, problems: list[str] | None = None) -> HTMLResponse:
    st = request.app.state
    with st.db.session() as s:
        sub = get_subscriber(s, sub_id)
        if sub is None:
            raise BadRequest("this subscriber no longer exists", status=404, zh="此订阅者已不存在")
        followed = {x.topic_id for x in sub.subscriptions}
        channels = [(c.id, c.kind, c.address, c.active) for c in sorted(sub.channels, key=lambda c: c.id)]
        watches = watch_ops.rows(s, sub_id)
        values: dict[str, Any] = {
            "name": sub.name, "mode": sub.mode, "paused": sub.paused, "timezone": sub.timezone or "",
            "digest_time": sub.digest_time or "",
        }  # fmt: skip
    done = request.query_params.get("done")
    return page(
        request, "me.html", status=status, me=values, followed=followed, channels=channels, modes=MODES,
        watches=watches, zones=ZONES, default_time=_digest(request)[0], default_zone=_digest(request)[1],
        problems=problems or [],
        done=done if done in DONE else None, me_id=sub_id,
    )  # fmt: skip


@router.get("/me", response_class=HTMLResponse)
def me_page(request: Request, token: str = "") -> HTMLResponse:
    st = request.app.state
    if token:
        sub_id, problem = me_subscriber(token, st.keys.link_key)
        if sub_id is None:
            raise _no_way_in(problem)
        response = view(request, sub_id)
        cookie = sign_token(st.keys.link_key, SESSION_PURPOSE, sub_id)
        response.set_cookie(ME_COOKIE, cookie, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax")
        return response
    return view(request, signed_in(request))


async def _posted(request: Request) -> tuple[int, dict[str, list[str]]]:
    form = await form_data(request)
    check_csrf(request, form)
    return signed_in(request), form


def _back(done: str) -> Response:
    return RedirectResponse(f"/me?done={done}", status_code=303)  # relative: never to a forged Host


def _one(form: dict[str, list[str]], key: str) -> str:
    return (form.get(key) or [""])[0].strip()


@router.post("/me/topics")
async def me_topics(request: Request) -> Response:
    sub_id, form = await _posted(request)
    known = request.app.state.topic_names
    wanted = {t for t in form.get("topics", []) if t in known}

    def change() -> None:
        with request.app.state.db.session() as s:
            sub = get_subscriber(s, sub_id)
            if sub is None:
                raise BadRequest("this subscriber no longer exists", status=404)
            have = {x.topic_id for x in sub.subscriptions}
            for t in wanted - have:
                subscribe(s, sub_id, t)
            for t in have - wanted:
                unsubscribe(s, sub_id, t)
            s.commit()

    await run_in_threadpool(change)
    return _back("topics")


def _settings_problems(request: Request, mode: str, zone: str, at: str) -> list[str]:
    from .i18n import translator

    t, problems = translator(request.state.lang), []
    if mode not in MODES:
        problems.append(t("unknown_mode"))
    if at and not is_time_of_day(at):
        problems.append(t("me_bad_time", x=at[:16]))
    if zone:
        try:
            ZoneInfo(zone)
        except (ValueError, KeyError):
            problems.append(t("me_bad_zone", x=zone[:64]))
    return problems


@router.post("/me/settings")
async def me_settings(request: Request) -> Response:
    sub_id, form = await _posted(request)
    mode, zone, at = _one(form, "mode"), _one(form, "timezone"), _one(form, "digest_time")
    problems = _settings_problems(request, mode, zone, at)
    if problems:
        return await run_in_threadpool(view, request, sub_id, 400, problems)

    def change() -> None:
        with request.app.state.db.session() as s:
            try:
                update_subscriber(s, sub_id, mode=mode, timezone=zone, digest_time=at)
            except SubscriberError as exc:
                raise BadRequest(str(exc)) from None
            s.commit()

    await run_in_threadpool(change)
    return _back("settings")


@router.post("/me/channels")
async def me_channels(request: Request) -> Response:
    """Turn one of the subscriber's own channels off or back on."""
    sub_id, form = await _posted(request)
    raw, on = _one(form, "channel"), _one(form, "active") == "1"
    if not raw.isdigit():
        raise BadRequest("channel: give the number of one of your channels")

    def change() -> None:
        with request.app.state.db.session() as s:
            ch = s.get(Channel, int(raw))
            if ch is None or ch.subscriber_id != sub_id:
                raise BadRequest("no such channel of yours", status=404, zh="您没有这个接收方式")
            if on:
                ch.active, ch.deactivated_reason = True, None
            else:
                deactivate_channel(s, ch.id, "turned off by the recipient on /me")
            s.commit()

    await run_in_threadpool(change)
    return _back("channels")


@router.post("/me/pause")
async def me_pause(request: Request) -> Response:
    sub_id, form = await _posted(request)
    paused = _one(form, "paused") == "1"

    def change() -> None:
        with request.app.state.db.session() as s:
            set_paused(s, sub_id, paused)
            s.commit()

    await run_in_threadpool(change)
    return _back("paused" if paused else "resumed")


@router.post("/me/unsubscribe-all")
async def me_unsubscribe_all(request: Request) -> Response:
    """Every channel off: nothing more is sent (a channel can be turned back on from this page)."""
    sub_id, _ = await _posted(request)

    def change() -> None:
        with request.app.state.db.session() as s:
            for ch in s.query(Channel).filter(Channel.subscriber_id == sub_id).all():
                deactivate_channel(s, ch.id, "unsubscribed from everything on /me")
            s.commit()

    await run_in_threadpool(change)
    return _back("unsubscribed")


router.include_router(me_watches.router)
