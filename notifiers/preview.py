"""`newsradar digest` previews: exactly what a subscriber's digest says, as text, HTML or Markdown.

The HTML preview carries its chart as a data: URL instead of the email's cid: reference, so the
file opens in a browser with the chart; everything else is the email's own (sanitised) markup.
"""

from __future__ import annotations

import base64

from storage.types import to_beijing

from .alerts import Digest
from .chart import CHART_CID, render_chart, sparkline, trend_line
from .messages import DIGEST_TITLE, NOTHING, digest_email_content, digest_plain_text

__all__ = ["FORMATS", "render_preview"]

FORMATS = ("text", "html", "md")


def _md_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)


def _markdown(digest: Digest, chart: str | None) -> str:
    lines = [f"# {DIGEST_TITLE} · {digest.day:%Y-%m-%d}", ""]
    for t in digest.trends:
        lines.append(f"- {_md_escape(trend_line(t))} `{sparkline(t.counts)}`")
    if chart:
        lines += ["", f"![14日趋势 14-day trend]({chart})"]
    if digest.total == 0:
        lines += ["", NOTHING]
    heading = None
    for a in digest.items:
        group = (a.topic_labels or a.topics or ["-"])[0]
        if group != heading:
            lines += ["", f"## {_md_escape(group)}", ""]
            heading = group
        title = _md_escape(a.title or "(untitled)")
        when = to_beijing(a.published_at).strftime("%Y-%m-%d %H:%M") if a.published_at else "-"
        link = f"[{title}](<{a.url}>)" if a.url.startswith(("http://", "https://")) else title
        lines.append(f"- {link} — {_md_escape(', '.join(a.sources))} · {when}")
        if a.evidence:
            lines.append(f"  > {_md_escape(' '.join(a.evidence.split())[:300])}")
    return "\n".join(lines) + "\n"


def render_preview(digest: Digest, fmt: str) -> str:
    """The digest in `fmt` (text | html | md), charts inline where the format allows."""
    if fmt == "text":
        return digest_plain_text(digest) + "\n"
    chart = None
    if digest.trends:
        chart = "data:image/png;base64," + base64.b64encode(render_chart(digest.trends)).decode()
    if fmt == "md":
        return _markdown(digest, chart)
    page = digest_email_content(digest, None).html
    return page.replace(f"cid:{CHART_CID}", chart) if chart else page
