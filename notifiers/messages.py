"""Alert text for each channel. Every piece of crawled text is escaped here, nowhere else.

Telegram: HTML parse mode, at most 4,096 characters per message (we count UTF-16 units of the
markup itself, stricter than Telegram's count of the visible text), several stories per message.
Email: plain text + HTML, sanitised with nh3 on top of escaping. Console and Apprise: plain text.
Daily digests use the same pieces (link, sources, time, evidence), grouped under topic headings;
a Telegram digest is split over as many messages as the limit needs.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from common import show_time
from common.sanitise import clean_html

from .alerts import Alert, Digest
from .chart import CHART_CID, trend_line, trend_text
from .chart import WIDTH as CHART_WIDTH
from .email_style import EMAIL_STYLE, email_page

__all__ = [
    "TELEGRAM_LIMIT",
    "EmailContent",
    "digest_email_content",
    "digest_plain_text",
    "digest_telegram_messages",
    "email_content",
    "evidence_html",
    "plain_text",
    "telegram_alert",
    "telegram_messages",
    "utf16_len",
]

TELEGRAM_LIMIT = 4096
TITLE_MAX = 200
EVIDENCE_MAX = 300
SOURCES_MAX = 12
ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _when(alert: Alert) -> str:
    return show_time(alert.published_at, missing="发布时间未知 / time unknown")


def _sources(alert: Alert, limit: int = SOURCES_MAX) -> str:
    names = [n for n in alert.sources if n]
    shown = ", ".join(_cut(n, 60) for n in names[:limit])
    if len(names) > limit:
        shown += f" +{len(names) - limit}"
    return shown or "-"


def _safe_url(url: str) -> str | None:
    url = (url or "").strip()
    return url if url.startswith(("http://", "https://")) and len(url) <= 2000 else None


def _window(evidence: str, spans: Sequence[tuple[int, int]], limit: int) -> tuple[int, int]:
    """A stretch of at most `limit` characters that shows the first matched term with some context."""
    if len(evidence) <= limit:
        return 0, len(evidence)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - limit // 4, len(evidence) - limit))
    return start, start + limit


def evidence_html(evidence: str, spans: Sequence[tuple[int, int]], limit: int = EVIDENCE_MAX) -> str:
    """The evidence sentence escaped, matched terms in <b>, cut to `limit` visible characters."""
    text = evidence or ""
    if not text:
        return ""
    start, end = _window(text, spans, limit)
    out = [ELLIPSIS] if start > 0 else []
    pos = start
    for a, b in sorted(spans):
        a, b = max(a, pos), min(b, end)
        if a >= b:
            continue
        out.append(html.escape(text[pos:a], quote=False))
        out.append(f"<b>{html.escape(text[a:b], quote=False)}</b>")
        pos = b
    out.append(html.escape(text[pos:end], quote=False))
    if end < len(text):
        out.append(ELLIPSIS)
    return " ".join("".join(out).split("\n"))


def _telegram_link(alert: Alert, title_max: int) -> str:
    title = html.escape(_cut(alert.title, title_max) or "(无标题 untitled)", quote=False)
    url = _safe_url(alert.url)
    return f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else f"<b>{title}</b>"


def _shrunk(render: Callable[[int, int], str], budget: int, title_max: int, evidence_max: int) -> str:
    """`render(title_max, evidence_max)`, halving both until the text fits `budget` (UTF-16 units)
    or they reach their floor (title 20, no evidence); the last text, which may still not fit."""
    while True:
        text = render(title_max, evidence_max)
        if utf16_len(text) <= budget or (title_max <= 20 and evidence_max == 0):
            return text
        title_max, evidence_max = max(20, title_max // 2), evidence_max // 2 if evidence_max > 40 else 0


def telegram_alert(alert: Alert, *, title_max: int = TITLE_MAX, evidence_max: int = EVIDENCE_MAX) -> str:
    """One story as Telegram HTML; shrinks title and evidence until it fits one message."""
    topics = html.escape(" · ".join(alert.topic_labels or alert.topics), quote=False)

    def render(title_max: int, evidence_max: int) -> str:
        lines = [
            f"🔔 <b>{topics}</b>",
            _telegram_link(alert, title_max),
            f"📰 {html.escape(_sources(alert), quote=False)}",
            f"🕒 {_when(alert)}",
        ]
        ev = evidence_html(alert.evidence, alert.spans, evidence_max)
        if ev:
            lines.append(f"» {ev}")
        return "\n".join(lines)

    text = _shrunk(render, TELEGRAM_LIMIT, title_max, evidence_max)
    return text if utf16_len(text) <= TELEGRAM_LIMIT else _hard_cut(text)


def _hard_cut(text: str) -> str:  # pragma: no cover - needs absurd source lists
    import re

    return _cut(re.sub(r"<[^>]+>", "", text), 3000)


def telegram_messages(alerts: Sequence[Alert], *, max_per_message: int = 10) -> list[tuple[str, list[Alert]]]:
    """Pack alerts into as few messages as the 4,096 limit and max_per_message allow."""
    out: list[tuple[str, list[Alert]]] = []
    parts: list[str] = []
    group: list[Alert] = []
    sep = "\n\n"
    for alert in alerts:
        piece = telegram_alert(alert)
        joined = sep.join([*parts, piece])
        if group and (len(group) >= max_per_message or utf16_len(joined) > TELEGRAM_LIMIT):
            out.append((sep.join(parts), group))
            parts, group = [], []
        parts.append(piece)
        group.append(alert)
    if group:
        out.append((sep.join(parts), group))
    return out


def _plain_block(a: Alert, *, topics: bool = True) -> str:
    head = f"[{' · '.join(a.topic_labels or a.topics)}] " if topics else "• "
    tail = "" if topics else _also(a)  # a digest item names its other topics after the title
    lines = [
        f"{head}{_cut(a.title, 500) or '(untitled)'}{tail}",
        f"  {a.url}" if a.url else "",
        f"  来源 sources: {_sources(a, 30)}",
        f"  时间 time: {_when(a)}",
    ]
    if a.evidence:
        start, end = _window(a.evidence, a.spans, 500)
        lines.append(f"  » {' '.join(a.evidence[start:end].split())}")
    return "\n".join(line for line in lines if line)


def plain_text(alerts: Sequence[Alert]) -> str:
    """Console / Apprise / email text body: the same facts, no markup."""
    return "\n\n".join(_plain_block(a) for a in alerts)


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def email_content(
    alerts: Sequence[Alert], unsubscribe: str | None, manage: str | None = None
) -> EmailContent:
    """Subject, text and HTML of one email carrying these stories; `manage`: the signed /me link."""
    first = _cut(alerts[0].title, 120) or "(untitled)"
    subject = (
        f"[newsradar] {first}"
        if len(alerts) == 1
        else f"[newsradar] {len(alerts)} 条新闻 new stories: {first}"
    )
    text = plain_text(alerts) + _text_footer(unsubscribe, manage)
    items = "".join(_email_item(a) for a in alerts)
    return EmailContent(
        subject=subject,
        text=text,
        html=_email_html(f"<h2>newsradar</h2><ul>{items}</ul>", unsubscribe, manage),
    )


def _text_footer(unsubscribe: str | None, manage: str | None) -> str:
    lines = ([f"管理我的订阅 Manage your alerts: {manage}"] if manage else []) + (
        [f"退订 Unsubscribe: {unsubscribe}"] if unsubscribe else []
    )
    return "\n\n-- \n" + "\n".join(lines) + "\n" if lines else ""


def _email_item(a: Alert, *, topics: bool = True) -> str:
    url = _safe_url(a.url)
    title = html.escape(_cut(a.title, 500) or "(untitled)", quote=False)
    head = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else title
    ev = evidence_html(a.evidence, a.spans, 500)
    label = (
        f"<small>{html.escape(' · '.join(a.topic_labels or a.topics), quote=False)}</small><br>"
        if topics
        else ""
    )
    return (
        "<li><p>"
        f"{label}<strong>{head}</strong><br>"
        f"<small>{html.escape(_sources(a, 30), quote=False)} — {html.escape(_when(a), quote=False)}</small>"
        + (f"<br>» {ev}" if ev else "")
        + "</p></li>"
    )


def _email_html(inner: str, unsubscribe: str | None, manage: str | None = None) -> str:
    """Wrap escaped markup, add the /me and unsubscribe links, sanitise the whole (the email profile), style it."""
    body = f"<div>{inner}"
    links = ([(manage, "管理我的订阅 Manage your alerts")] if manage else []) + (
        [(unsubscribe, "退订 Unsubscribe")] if unsubscribe else []
    )
    if links:
        body += (
            "<hr><p><small>"
            + " · ".join(f'<a href="{html.escape(href, quote=True)}">{label}</a>' for href, label in links)
            + "</small></p>"
        )
    body += "</div>"
    return email_page(clean_html(body, "email"))


# -- daily digests ---------------------------------------------------------------------------

DIGEST_TITLE = "newsradar 每日摘要 daily digest"
NOTHING = "没有匹配的新闻 no matching news"


_BEIJING_ZONES = {None, "", "Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC"}


def _digest_day(digest: Digest) -> str:
    """'2026-12-02 北京时间', or the subscriber's zone whose calendar day the digest covers."""
    zone = "北京时间" if digest.timezone in _BEIJING_ZONES else digest.timezone
    return f"{digest.day:%Y-%m-%d} {zone}"


def _group(a: Alert) -> str:
    return (a.topic_labels or a.topics or ["-"])[0]


def _groups(items: Sequence[Alert]) -> list[tuple[str, list[Alert]]]:
    """Consecutive items under one topic heading (plan_digests already ordered them)."""
    out: list[tuple[str, list[Alert]]] = []
    for a in items:
        if out and out[-1][0] == _group(a):
            out[-1][1].append(a)
        else:
            out.append((_group(a), [a]))
    return out


def _also(a: Alert) -> str:
    """Other followed topics of a story listed under its first one."""
    rest = (a.topic_labels or a.topics)[1:]
    return f" (+ {' · '.join(rest)})" if rest else ""


def _digest_block(a: Alert, title_max: int = TITLE_MAX, evidence_max: int = EVIDENCE_MAX) -> str:
    """One story of a Telegram digest; shrinks like telegram_alert so any block fits a message."""
    budget = TELEGRAM_LIMIT - 400  # room for the message and topic headings

    def render(title_max: int, evidence_max: int) -> str:
        lines = [
            f"• {_telegram_link(a, title_max)}{html.escape(_also(a), quote=False)}",
            f"  📰 {html.escape(_sources(a), quote=False)} · 🕒 {_when(a)}",
        ]
        ev = evidence_html(a.evidence, a.spans, evidence_max)
        if ev:
            lines.append(f"  » {ev}")
        return "\n".join(lines)

    text = _shrunk(render, budget, title_max, evidence_max)
    return text if utf16_len(text) <= budget else _cut(_hard_cut(text), 2000)


def digest_telegram_messages(digest: Digest) -> list[tuple[str, int | None]]:
    """A digest as Telegram HTML messages, each within 4,096; with the progress each part makes.

    Progress is the number of the digest's queued stories delivered once that part is sent
    (None for the last part, which settles the row). A continued part repeats its topic heading.
    """
    day = f"{digest.day:%Y-%m-%d}"
    if digest.total == 0:
        return [(f"📰 <b>{DIGEST_TITLE}</b> · {day}\n{NOTHING}", None)]
    first = f"📰 <b>{DIGEST_TITLE}</b> · {html.escape(_digest_day(digest))} · {digest.total} 条 stories"
    if digest.trends:
        first += "\n" + html.escape(trend_text(digest.trends), quote=False)
    cont = f"📰 <b>{DIGEST_TITLE}</b> · {day} (续 continued)"
    out: list[tuple[str, int | None]] = []
    parts: list[str] = [first if digest.start == 0 else cont]
    heading: str | None = None
    position = digest.start
    sep = "\n\n"
    for a in digest.items:
        block = _digest_block(a)
        group = _group(a)
        head = f"🏷 <b>{html.escape(group, quote=False)}</b>"
        piece = block if group == heading else f"{head}\n{block}"
        if heading is not None and utf16_len(sep.join([*parts, piece])) > TELEGRAM_LIMIT:
            out.append((sep.join(parts), position))
            parts = [cont]
            piece = f"{head} (续)\n{block}" if group == heading else f"{head}\n{block}"
        parts.append(piece)
        heading = group
        position += 1
    out.append((sep.join(parts), None))
    return out


def _digest_subject(digest: Digest) -> str:
    day = f"{digest.day:%Y-%m-%d}"
    if digest.total == 0:
        return f"[newsradar] 每日摘要 daily digest {day}: {NOTHING}"
    return f"[newsradar] 每日摘要 daily digest {day}: {digest.total} 条新闻 stories"


def digest_plain_text(digest: Digest) -> str:
    """Console / Apprise / email text of a digest: topic headings, then the stories' facts."""
    head = f"{DIGEST_TITLE} · {_digest_day(digest)}"
    if digest.total == 0:
        return f"{head}\n{NOTHING}"
    blocks = [f"{head} · {digest.total} 条 stories"]
    if digest.trends and digest.start == 0:
        blocks.append(trend_text(digest.trends))
    for label, items in _groups(digest.items):
        blocks.append(f"== {label} ==")
        blocks.extend(_plain_block(a, topics=False) for a in items)
    return "\n\n".join(blocks)


def digest_email_content(digest: Digest, unsubscribe: str | None, manage: str | None = None) -> EmailContent:
    """Subject, text and HTML of one digest email (never split: mail has no 4,096 limit)."""
    text = digest_plain_text(digest) + _text_footer(unsubscribe, manage)
    inner = f"<h2>{html.escape(DIGEST_TITLE, quote=False)} · {digest.day:%Y-%m-%d}</h2>"
    if digest.trends:
        inner += "".join(f"<p>{html.escape(trend_line(t), quote=False)}</p>" for t in digest.trends)
    if digest.total == 0:
        inner += f"<p>{NOTHING}</p>"
    for label, items in _groups(digest.items):
        inner += f"<h2>{html.escape(label, quote=False)}</h2><ul>{''.join(_email_item(a, topics=False) for a in items)}</ul>"
    page = _email_html(inner, unsubscribe, manage)
    if digest.trends:  # our own markup, added after sanitising (nh3 keeps no cid: URLs)
        img = f'<p><img src="cid:{CHART_CID}" alt="14日趋势 14-day trend" width="{CHART_WIDTH}" style="{EMAIL_STYLE["img"]}"></p>'
        page = page.replace("</h2>", "</h2>" + img, 1)
    return EmailContent(subject=_digest_subject(digest), text=text, html=page)
