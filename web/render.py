"""Turning stored (hostile) text into safe HTML: sanitising (common.sanitise profiles), term highlighting, times, the
per-day chart as hand-made SVG (no JavaScript, no inline style: the CSP forbids both)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from markupsafe import Markup

from common.sanitise import clean_html
from notifiers.messages import evidence_html
from storage.types import to_beijing

__all__ = [
    "bar_chart_svg",
    "beijing",
    "sparkline_svg",
    "evidence",
    "highlight",
    "marked_html",
    "safe_body",
    "sanitise",
    "text_body",
]


def sanitise(fragment: str) -> str:
    """nh3 with a small allow-list: no script, style, event handler, image or javascript: URL."""
    return clean_html(fragment, "page")


def marked_html(fragment: str | None) -> Markup:
    """Search's title/snippet HTML: only <mark>, <b> and <em> survive."""
    return Markup(clean_html(fragment, "marks"))


_TAG = re.compile(r"(<[^>]*>)")


def highlight(safe_html: str, terms: Iterable[str]) -> str:
    """Wrap each term in <mark> inside the text of already sanitised HTML (never inside tags)."""
    escaped = sorted({html.escape(t, quote=False) for t in terms if t and t.strip()}, key=len, reverse=True)
    if not escaped:
        return safe_html
    pattern = re.compile("|".join(re.escape(t) for t in escaped))
    parts = _TAG.split(safe_html)
    for i in range(0, len(parts), 2):  # even indexes are text between tags
        parts[i] = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", parts[i])
    return "".join(parts)


def text_body(text: str) -> str:
    """Plain text as paragraphs (when a page gave no HTML body)."""
    return "".join(
        f"<p>{html.escape(p.strip(), quote=False)}</p>" for p in (text or "").split("\n") if p.strip()
    )


def safe_body(body_html: str, body_text: str, terms: Iterable[str] = ()) -> Markup:
    """The body as it may reach a page or a feed: sanitised, terms highlighted."""
    clean = sanitise(body_html) if (body_html or "").strip() else text_body(body_text)
    return Markup(highlight(clean, terms))


def evidence(text: str, spans: Sequence[tuple[int, int]], limit: int = 200) -> Markup:
    """The evidence sentence with matched terms in <b> (escaped by notifiers.messages)."""
    return Markup(evidence_html(text or "", list(spans or []), limit))


def beijing(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Beijing time of a datetime or an ISO string (as source health gives them); '' for None."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    bj = to_beijing(value)
    return bj.strftime(fmt) if bj else ""


def _ticks(peak: int) -> list[int]:
    """Whole-number y ticks: 0, the peak, and a middle one when it is a whole number too."""
    if peak <= 1:
        return [0, 1]
    mid = peak // 2
    return [0, mid, peak] if mid not in (0, peak) else [0, peak]


def bar_chart_svg(
    series: Sequence[tuple[date, int]], *, title: str, width: int = 720, height: int = 200, css: str = "chart"
) -> Markup:
    """Bars per day with a y scale and month ticks; sized by viewBox, so the page draws a narrow
    one (width 360) for phones, where the wide one's 11-unit labels would shrink to ~5 px."""
    left, right, bottom, top = 32, 14, 22, 10
    plot_w, plot_h = width - left - right, height - bottom - top
    scale = max(max((n for _, n in series), default=0), 1)
    step = plot_w / max(len(series), 1)
    out = [
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{html.escape(title)}</title>",
    ]
    for tick in _ticks(scale):
        y = top + plot_h - plot_h * tick / scale
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{tick}</text>'
        )
    for i, (day, n) in enumerate(series):
        x = left + i * step
        h = plot_h * n / scale
        if n:
            out.append(
                f'<rect x="{x + step * 0.1:.1f}" y="{top + plot_h - h:.1f}" width="{max(step * 0.8, 1):.1f}" '
                f'height="{h:.1f}" fill="#c0392b"><title>{day.isoformat()}: {n}</title></rect>'
            )
        if (day.day == 1 and x < width - right - 100) or i == 0:  # clear of the end date
            out.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="11" fill="#555">{day:%m-%d}</text>')
    if series:
        last = series[-1][0]
        out.append(
            f'<text x="{width - right}" y="{height - 6}" font-size="11" text-anchor="end" fill="#555">'
            f"{last:%Y-%m-%d}</text>"
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#888" stroke-width="1"/>'
    )
    out.append("</svg>")
    return Markup("".join(out))


def sparkline_svg(
    series: Sequence[tuple[date, int]], *, label: str, width: int = 120, height: int = 24
) -> Markup:
    """A small trend line of daily counts (the /topics list), labelled for screen readers."""
    peak = max((n for _, n in series), default=0) or 1
    step = width / max(len(series) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * n / peak:.1f}" for i, (_, n) in enumerate(series)
    )
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{html.escape(label)}</title>'
        f'<line x1="0" y1="{height - 2}" x2="{width}" y2="{height - 2}" stroke="#ddd" stroke-width="1"/>'
        f'<polyline points="{points}" fill="none" stroke="#c0392b" stroke-width="1.5"/></svg>'
    )
