"""Atom 1.0 feeds: one per topic and one per search, so a feed reader can follow either."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, Request
from fastapi.responses import Response

from common import strip_unsafe
from storage.archive import StoryFilter, article_with_details, evidence_lines, list_story_page
from storage.types import utcnow

from . import render
from .pages import topic_or_404
from .search_glue import run_search

__all__ = ["atom", "router"]

router = APIRouter(include_in_schema=False)
FEED_ENTRIES = 30
ATOM = "application/atom+xml; charset=utf-8"


def _stamp(value: datetime | None) -> str:
    return (value or utcnow()).astimezone().isoformat(timespec="seconds")


def _text(value: str) -> str:
    return escape(value or "", {'"': "&quot;"})


def atom(*, feed_id: str, title: str, self_url: str, html_url: str, entries: list[dict[str, Any]]) -> str:
    """The document; entries: id, title, url, updated, summary_html, content_html, authors."""
    updated = max((e["updated"] for e in entries if e["updated"]), default=None)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<id>{_text(feed_id)}</id>",
        f"<title>{_text(title)}</title>",
        f"<updated>{_stamp(updated)}</updated>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(html_url)}/>',
        "<author><name>newsradar</name></author>",
        "<generator>newsradar</generator>",
    ]
    for e in entries:
        out.append("<entry>")
        out.append(f"<id>{_text(e['id'])}</id>")
        out.append(f"<title>{_text(e['title'] or e['id'])}</title>")
        out.append(f"<updated>{_stamp(e['updated'])}</updated>")
        if e.get("published"):
            out.append(f"<published>{_stamp(e['published'])}</published>")
        out.append(f'<link rel="alternate" type="text/html" href={quoteattr(e["url"])}/>')
        for name in e.get("authors", []):
            out.append(f"<author><name>{_text(name)}</name></author>")
        for term in e.get("categories", []):
            out.append(f"<category term={quoteattr(term)}/>")
        if e.get("summary_html"):
            out.append(f'<summary type="html">{_text(e["summary_html"])}</summary>')
        if e.get("content_html"):
            out.append(f'<content type="html">{_text(e["content_html"])}</content>')
        out.append("</entry>")
    out.append("</feed>")
    return strip_unsafe("\n".join(out))


@router.get("/feeds/search.atom")
def search_feed(request: Request, q: str = "") -> Response:
    st = request.app.state
    page = run_search(request, q, topic=request.query_params.get("topic"), source=request.query_params.get("source"),
                      since=request.query_params.get("from"), until=request.query_params.get("to"), limit=FEED_ENTRIES)  # fmt: skip
    base = st.public_url
    entries = [
        dict(
            id=f"{base}/articles/{h.article_id}",
            title=h.title,
            url=f"{base}/stories/{h.story_id}",
            updated=h.published_at,
            published=h.published_at,
            authors=[h.source],
            summary_html=render.sanitise(h.snippet_html or ""),
        )  # fmt: skip
        for h in page.hits
    ]
    body = atom(
        feed_id=f"{base}/feeds/search.atom?q={quote(q)}", title=f"newsradar 搜索: {q}",
        self_url=f"{base}/feeds/search.atom?q={quote(q)}", html_url=f"{base}/search?q={quote(q)}", entries=entries,
    )  # fmt: skip
    return Response(body, media_type=ATOM)


@router.get("/feeds/{topic_id}.atom")
def topic_feed(request: Request, topic_id: str) -> Response:
    st = request.app.state
    topic = topic_or_404(request, topic_id)
    name = st.topic_names[topic.id]
    with st.db.session() as s:
        rows, _ = list_story_page(s, StoryFilter(topic=topic.id), limit=FEED_ENTRIES)
        lines = evidence_lines(s, [r["id"] for r in rows])
        leads = {r["id"]: article_with_details(s, r["lead"]["id"]) for r in rows if r["lead"]}
    base = st.public_url
    entries = []
    for r in rows:
        lead = leads.get(r["id"])
        ev = lines.get(r["id"])
        summary = str(render.evidence(ev["evidence"], ev["spans"], 300)) if ev else ""
        terms = {t for m in (lead.matches if lead else []) for t in (m.terms or {})}
        content = str(render.safe_body(lead.body_html, lead.body_text, terms)) if lead else ""
        entries.append(
            dict(
                id=f"{base}/stories/{r['id']}",
                title=(r["lead"] or {}).get("title", ""),
                url=f"{base}/stories/{r['id']}",
                updated=r["updated_at"],
                published=r["first_published_at"],
                authors=r["sources"],
                categories=r["topics"],
                summary_html=summary,
                content_html=content,
            )  # fmt: skip
        )
    body = atom(
        feed_id=f"{base}/feeds/{topic.id}.atom", title=f"newsradar · {name}",
        self_url=f"{base}/feeds/{topic.id}.atom", html_url=f"{base}/topics/{topic.id}", entries=entries,
    )  # fmt: skip
    return Response(body, media_type=ATOM)
