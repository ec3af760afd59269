"""The read-only archive pages: home, story, article, topic, sources and search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from processor.health import source_health
from storage import archive
from storage.archive import (
    StoryFilter,
    article_revisions,
    article_with_details,
    daily_counts,
    evidence_lines,
    evidence_per_topic,
    list_story_page,
    source_counts,
    story_matches,
    total_capped,
)
from storage.counts import COUNT_CAP
from storage.retries import MAX_ATTEMPTS, retry_counts
from storage.story_views import story_summary

from . import render
from .app import page
from .errors import BadRequest
from .i18n import health_note, translator
from .params import check_topic, crawler_nodes, known_sources, page_number, parse_id, story_filter

__all__ = ["parse_id", "router", "story_or_404", "topic_or_404"]

router = APIRouter(include_in_schema=False)
CHART_DAYS = 90


def _query(request: Request, **changes: Any) -> str:
    """This page's query string with some parameters changed (pagination, toggles)."""
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    params.update({k: str(v) for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
    return "?" + urlencode(params) if params else "?"


def shown_total(total: int) -> str:
    """A story total as a page shows it: past storage.archive.TOTAL_CAP only a lower bound is known."""
    return f"{archive.TOTAL_CAP}+" if total_capped(total) else str(total)


def _pages(request: Request, number: int, total: int, size: int, full: bool) -> dict[str, Any]:
    """Pager of page `number`; `full`: it showed `size` stories (past a capped total, a page
    that did has a next one to try)."""
    capped = total_capped(total)
    last = max(1, -(-total // size))
    if number > last and total and not capped:
        raise BadRequest(f"page: there are only {last} pages", status=404)
    return {
        "number": number,
        "last": f"{max(last, number)}+" if capped else last,
        "total": shown_total(total),
        "prev": _query(request, page=number - 1) if number > 1 else None,
        "next": _query(request, page=number + 1) if number < last or (capped and full) else None,
    }


def story_rows(request: Request, f: StoryFilter, number: int, size: int) -> tuple[list[dict], int]:
    """Story summaries with their evidence line, for the home and topic pages."""
    with request.app.state.db.session() as s:
        rows, total = list_story_page(s, f, limit=size, offset=(number - 1) * size)
        lines = evidence_lines(s, [r["id"] for r in rows])
    for r in rows:
        r["evidence"] = lines.get(r["id"])
    return rows, total


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    q = request.query_params
    show_all = q.get("all") == "1"
    f = story_filter(
        request, topic=q.get("topic"), source=q.get("source"), since=q.get("from"), until=q.get("to"),
        matched_only=not show_all,
    )  # fmt: skip
    size = request.app.state.settings.page_size
    number = page_number(q.get("page"))
    rows, total = story_rows(request, f, number, size)
    feeds = [(f"/feeds/{f.topic}.atom", request.app.state.topic_names[f.topic])] if f.topic else []
    return page(
        request, "home.html", stories=rows, pages=_pages(request, number, total, size, len(rows) == size), show_all=show_all,
        toggle=_query(request, all=None if show_all else "1", page=None), filters=q, sources=known_sources(request),
        feeds=feeds or [(f"/feeds/{t}.atom", n) for t, n in request.app.state.topic_names.items()],
    )  # fmt: skip


def story_or_404(session: Any, story_id: str) -> dict[str, Any]:
    sid = parse_id(story_id, "story")
    try:
        return story_summary(session, sid)
    except KeyError:
        raise BadRequest(f"no story {sid}", status=404, zh=f"没有编号为 {sid} 的新闻") from None


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str) -> HTMLResponse:
    with request.app.state.db.session() as s:
        summary = story_or_404(s, story_id)
        sid = summary["id"]
        lead_id = (summary["lead"] or {}).get("id")
        lead = article_with_details(s, lead_id) if lead_id else None
        matches = story_matches(s, sid)
        revisions = article_revisions(s, [a["id"] for a in summary["articles"]])
    per_topic = evidence_per_topic(matches, lead_id)
    terms = {t for m in matches for t in (m.terms or {})}
    body = render.safe_body(lead.body_html, lead.body_text, terms) if lead else ""
    titles = {a["id"]: a["title"] for a in summary["articles"]}
    return page(
        request, "story.html", story=summary, lead=lead, body=body, per_topic=dict(per_topic),
        revisions=revisions, titles=titles,
    )  # fmt: skip


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: str) -> HTMLResponse:
    aid = parse_id(article_id, "article")
    with request.app.state.db.session() as s:
        a = article_with_details(s, aid)
        if a is None:
            raise BadRequest(f"no article {aid}", status=404)
        revisions = article_revisions(s, [aid])
    terms = {t for m in a.matches for t in (m.terms or {})}
    body = render.safe_body(a.body_html, a.body_text, terms)
    return page(request, "article.html", a=a, body=body, revisions=revisions)


def topic_or_404(request: Request, topic_id: str) -> Any:
    check_topic(request, topic_id)
    return next(t for t in request.app.state.topics if t.id == topic_id)


TREND_DAYS = 30


@router.get("/topics", response_class=HTMLResponse)
def topics(request: Request) -> HTMLResponse:
    """Each topic with its stories of the last 7 and 30 days and a 30-day trend line."""
    st, en = request.app.state, request.state.lang == "en"
    rows = []
    with st.db.session() as s:
        for t in st.topics:
            series = daily_counts(s, t.id, days=TREND_DAYS)
            week, month = sum(n for _, n in series[-7:]), sum(n for _, n in series)
            label = (f"{month} stories in {TREND_DAYS} days, per day" if en
                     else f"近 {TREND_DAYS} 天每日新闻数，共 {month} 条")  # fmt: skip
            rows.append(
                {"topic": t, "week": week, "month": month, "spark": render.sparkline_svg(series, label=label)}
            )
    return page(request, "topics.html", topics=rows, days=TREND_DAYS)


@router.get("/topics/{topic_id}", response_class=HTMLResponse)
def topic(request: Request, topic_id: str) -> HTMLResponse:
    t = topic_or_404(request, topic_id)
    en = request.state.lang == "en"
    name = (request.app.state.topic_names_en if en else request.app.state.topic_names)[t.id]
    with request.app.state.db.session() as s:
        series = daily_counts(s, t.id, days=CHART_DAYS)
        per_source = source_counts(s, t.id)
    rows, total = story_rows(request, StoryFilter(topic=t.id), 1, 10)
    lang = request.state.lang
    title = f"{name}: {sum(n for _, n in series)} " + ("stories" if lang == "en" else "条新闻")
    return page(
        request, "topic.html", topic=t, name=name, chart=render.bar_chart_svg(series, title=title, css="chart wide"),
        chart_phone=render.bar_chart_svg(series, title=title, width=360, height=180, css="chart chart-phone"),
        series=series, per_source=per_source, stories=rows, total=shown_total(total), days=CHART_DAYS,
        feeds=[(f"/feeds/{t.id}.atom", name)],
    )  # fmt: skip


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request) -> HTMLResponse:
    names = known_sources(request)
    with request.app.state.db.session() as s:
        health = source_health(s, names, request.app.state.health)
        retries = retry_counts(s, names)
    t = translator(request.state.lang)
    for h in health:
        h["note"], h["raw_error"] = health_note(h, request.state.lang)
        h["retry_note"] = _retry_note(retries.get(h["source"], {}), t)
    return page(request, "sources.html", health=health, nodes=crawler_nodes(request))


def _retry_note(counts: dict[str, int], t: Callable[..., str]) -> str:
    """What `status` says of a source's failed articles, so the page does not look healthier."""
    shown = {k: f"{COUNT_CAP}+" if n > COUNT_CAP else str(n) for k, n in counts.items()}
    waiting = counts.get("waiting", 0)
    parts = (
        [t("retry_waiting_1") if waiting == 1 else t("retry_waiting", n=shown["waiting"])] if waiting else []
    )
    if counts.get("given_up"):
        parts.append(t("retry_given_up", n=shown["given_up"], m=MAX_ATTEMPTS))
    return "; ".join(parts)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request) -> HTMLResponse:
    from .search_glue import run_search

    qp = request.query_params
    q = (qp.get("q") or "").strip()
    result, next_link = None, None
    if q:
        result = run_search(
            request, q, topic=qp.get("topic"), source=qp.get("source"), since=qp.get("from"), until=qp.get("to"),
            limit=request.app.state.settings.page_size, cursor=qp.get("cursor") or None,
        )  # fmt: skip
        if result.next_cursor:
            next_link = _query(request, cursor=result.next_cursor)
    feeds = [(f"/feeds/search.atom?{urlencode({'q': q})}", f"搜索 {q}")] if q else []
    from .follow import BACKFILL, follow_unavailable, telegram_bot

    return page(
        request, "search.html", q=q, result=result, next_link=next_link, filters=qp,
        sources=known_sources(request), feeds=feeds, follow_off=follow_unavailable(request),
        follow_bot=telegram_bot(request), backfill=BACKFILL,
    )  # fmt: skip
