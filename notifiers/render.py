"""Alert text for each channel. Every piece of crawled text is escaped here, nowhere else.

Telegram: HTML parse mode, at most 4,096 characters per message (we count UTF-16 units of the
markup itself, stricter than Telegram's count of the visible text), several stories per message.
Email: plain text + HTML, sanitised with nh3 on top of escaping. Console and Apprise: plain text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import nh3

from storage.types import to_beijing

from .alerts import Alert

__all__ = [
    "TELEGRAM_LIMIT",
    "EmailContent",
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
    bj = to_beijing(alert.published_at)
    return f"{bj:%Y-%m-%d %H:%M} 北京时间" if bj else "发布时间未知 / time unknown"


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


def telegram_alert(alert: Alert, *, title_max: int = TITLE_MAX, evidence_max: int = EVIDENCE_MAX) -> str:
    """One story as Telegram HTML; shrinks title and evidence until it fits one message."""
    while True:
        title = html.escape(_cut(alert.title, title_max) or "(无标题 untitled)", quote=False)
        url = _safe_url(alert.url)
        link = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else f"<b>{title}</b>"
        topics = html.escape(" · ".join(alert.topic_labels or alert.topics), quote=False)
        lines = [
            f"🔔 <b>{topics}</b>",
            link,
            f"📰 {html.escape(_sources(alert), quote=False)}",
            f"🕒 {_when(alert)}",
        ]
        ev = evidence_html(alert.evidence, alert.spans, evidence_max)
        if ev:
            lines.append(f"» {ev}")
        text = "\n".join(lines)
        if utf16_len(text) <= TELEGRAM_LIMIT or (title_max <= 20 and evidence_max == 0):
            break
        title_max, evidence_max = max(20, title_max // 2), evidence_max // 2 if evidence_max > 40 else 0
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


def plain_text(alerts: Sequence[Alert]) -> str:
    """Console / Apprise / email text body: the same facts, no markup."""
    blocks = []
    for a in alerts:
        lines = [
            f"[{' · '.join(a.topic_labels or a.topics)}] {_cut(a.title, 500) or '(untitled)'}",
            f"  {a.url}" if a.url else "",
            f"  来源 sources: {_sources(a, 30)}",
            f"  时间 time: {_when(a)}",
        ]
        if a.evidence:
            start, end = _window(a.evidence, a.spans, 500)
            lines.append(f"  » {' '.join(a.evidence[start:end].split())}")
        blocks.append("\n".join(line for line in lines if line))
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


_ALLOWED_TAGS = {"a", "b", "br", "div", "h2", "hr", "li", "p", "small", "span", "ul"}


def email_content(alerts: Sequence[Alert], unsubscribe: str | None) -> EmailContent:
    """Subject, text and HTML of one email carrying these stories."""
    first = _cut(alerts[0].title, 120) or "(untitled)"
    subject = (
        f"[newsradar] {first}"
        if len(alerts) == 1
        else f"[newsradar] {len(alerts)} 条新闻 new stories: {first}"
    )
    text = plain_text(alerts)
    if unsubscribe:
        text += f"\n\n-- \n退订 Unsubscribe: {unsubscribe}\n"
    items = []
    for a in alerts:
        url = _safe_url(a.url)
        title = html.escape(_cut(a.title, 500) or "(untitled)", quote=False)
        head = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else title
        ev = evidence_html(a.evidence, a.spans, 500)
        items.append(
            "<li><p>"
            f"<small>{html.escape(' · '.join(a.topic_labels or a.topics), quote=False)}</small><br>"
            f"<b>{head}</b><br>"
            f"<small>{html.escape(_sources(a, 30), quote=False)} — {html.escape(_when(a), quote=False)}</small>"
            + (f"<br>» {ev}" if ev else "")
            + "</p></li>"
        )
    body = f"<div><h2>newsradar</h2><ul>{''.join(items)}</ul>"
    if unsubscribe:
        body += (
            f'<hr><p><small><a href="{html.escape(unsubscribe, quote=True)}">退订 Unsubscribe</a></small></p>'
        )
    body += "</div>"
    clean = nh3.clean(body, tags=_ALLOWED_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https"})
    return EmailContent(subject=subject, text=text, html=f"<!doctype html><html><body>{clean}</body></html>")
