"""JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json): the pages' data with cursors.

Every list answers {"items": [...], "next_cursor": str | null} (and "total" where cheap); pass
next_cursor back as ?cursor= for the next page. Times are ISO 8601 in Beijing time (+08:00).
HTML fields (body_html, snippet_html, title_html) are sanitised with nh3. Every refusal is
{"error": "<what is wrong>", "status": <code>}: 400 for a malformed parameter, 404 for no such
item, topic, source or page. Lists carry an ETag and Cache-Control (If-None-Match gives a 304).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.openapi.utils import get_openapi

from processor.health import source_health
from storage.archive import (
    article_with_details,
    daily_counts,
    evidence_lines,
    list_articles_page,
    list_story_page,
    source_counts,
    story_matches,
    total_capped,
)
from storage.queries import article_dict
from storage.types import to_beijing

from . import render
from .api_models import (
    CURSOR_PATTERN,
    DAY_PATTERN,
    ERROR_RESPONSES,
    MAX_ID,
    QUERY_PATTERN,
    ArticleDetail,
    ArticlePage,
    SearchPage,
    SourcePage,
    StoryDetail,
    StoryPage,
    TopicDetail,
    TopicPage,
)
from .errors import BadRequest
from .pages import story_or_404, topic_or_404
from .params import (
    crawler_nodes,
    decode_cursor,
    encode_cursor,
    known_sources,
    parse_day,
    parse_id,
    story_filter,
)
from .search_glue import hit_item, run_search

__all__ = ["openapi_document", "router"]

router = APIRouter(prefix="/api/v1", tags=["archive"], responses=ERROR_RESPONSES)

Limit = Query(20, ge=1, le=100, description="items per page (1-100)")
Cursor = Query(None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page, as given")
Topic = Query(None, max_length=100, description="topic id (see /api/v1/topics)")
Source = Query(None, max_length=100, description="source name (see /api/v1/sources)")
Since = Query(
    None, alias="from", pattern=DAY_PATTERN, json_schema_extra={"format": "date"},
    description="first Beijing day, YYYY-MM-DD (1900-01-01 to 2999-12-31)",
)  # fmt: skip
Until = Query(
    None, alias="to", pattern=DAY_PATTERN, json_schema_extra={"format": "date"},
    description="last Beijing day (included), YYYY-MM-DD; not before `from`",
)  # fmt: skip


def _id(what: str) -> Any:
    return Path(ge=1, le=MAX_ID, description=f"{what} id")


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document without the 422 it adds to every route with parameters: a parameter
    the schema refuses is a 400 (in the query) or a 404 (in the path) with the one error shape."""
    if app.openapi_schema is None:
        spec = get_openapi(title=app.title, version=app.version, description=__doc__, routes=app.routes)
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = spec.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = spec
    return app.openapi_schema


def plain(value: Any) -> Any:
    """Datetimes as Beijing-time ISO strings, recursively."""
    if isinstance(value, datetime):
        return to_beijing(value).isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _days(since: str | None, until: str | None) -> dict[str, str | None]:
    """The from/to filter; a range that ends before it starts holds no day, so no page: 404
    (the schema cannot say that `to` follows `from`, and a 400 would mean the request was malformed)."""
    first, last = parse_day(since, "from"), parse_day(until, "to")
    if first and last and last < first:
        raise BadRequest(f"to: {last} is before from: {first}, so no day is in that range", status=404)
    return {"since": since, "until": until}


def _after(cursor: str | None) -> Any:
    """A well-formed cursor this API never handed out names no page of the list: 404."""
    try:
        return decode_cursor(cursor)
    except BadRequest as exc:
        raise BadRequest(exc.message, status=404) from None


@router.get("/articles", summary="Articles, newest first", response_model=ArticlePage)
def articles(
    request: Request, topic: str | None = Topic, source: str | None = Source, since: str | None = Since,
    until: str | None = Until, limit: int = Limit, cursor: str | None = Cursor,
) -> dict[str, Any]:  # fmt: skip
    f = story_filter(request, topic=topic, source=source, **_days(since, until))
    with request.app.state.db.session() as s:
        rows = list_articles_page(s, f, limit=limit + 1, after=_after(cursor))
        items = [article_dict(a, body=False) for a in rows[:limit]]
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return {
        "items": items,
        "next_cursor": encode_cursor(last.published_at or last.fetched_at, last.id) if last else None,
    }


@router.get(
    "/articles/{article_id}", summary="One article with body, matches and policy fields",
    response_model=ArticleDetail,
)  # fmt: skip
def article(request: Request, article_id: int = _id("article")) -> dict[str, Any]:
    aid = parse_id(str(article_id), "article")
    with request.app.state.db.session() as s:
        a = article_with_details(s, aid)
        if a is None:
            raise BadRequest(f"no article {aid}", status=404)
        out = article_dict(a)
        out["body_html"] = str(render.safe_body(a.body_html, a.body_text))
        out["matches"] = [
            {"topic": m.topic_id, "score": m.score, "terms": m.terms, "evidence": m.evidence}
            for m in a.matches
        ]
    return out


@router.get(
    "/stories", summary="Stories (republished copies grouped), newest first", response_model=StoryPage
)
def stories(
    request: Request, topic: str | None = Topic, source: str | None = Source, since: str | None = Since,
    until: str | None = Until, all: bool = Query(False, description="include stories that matched no topic"),
    limit: int = Limit, cursor: str | None = Cursor,
) -> dict[str, Any]:  # fmt: skip
    f = story_filter(request, topic=topic, source=source, matched_only=not all, **_days(since, until))
    with request.app.state.db.session() as s:
        rows, total = list_story_page(s, f, limit=limit + 1, after=_after(cursor))
        lines = evidence_lines(s, [r["id"] for r in rows[:limit]])
    more = len(rows) > limit
    rows = rows[:limit]
    for r in rows:
        r["evidence"] = (lines.get(r["id"]) or {}).get("evidence")
    next_cursor = encode_cursor(rows[-1]["sort_key"], rows[-1]["id"]) if more else None
    items = [plain({k: v for k, v in r.items() if k != "sort_key"}) for r in rows]
    return {"items": items, "next_cursor": next_cursor, "total": total, "total_capped": total_capped(total)}


@router.get(
    "/stories/{story_id}", summary="One story: every copy, topics and evidence per topic",
    response_model=StoryDetail,
)  # fmt: skip
def story(request: Request, story_id: int = _id("story")) -> dict[str, Any]:
    with request.app.state.db.session() as s:
        summary = story_or_404(s, str(story_id))
        summary["evidence"] = [
            {
                "topic": m.topic_id,
                "article": m.article_id,
                "score": m.score,
                "terms": m.terms,
                "evidence": m.evidence,
            }
            for m in story_matches(s, summary["id"])
        ]
    return plain(summary)


def _topic_json(request: Request, t: Any) -> dict[str, Any]:
    return {
        "id": t.id, "name": request.app.state.topic_names[t.id], "description": t.description,
        "keywords": dict(t.keywords), "aliases": {k: list(v) for k, v in t.aliases.items()},
        "exclusions": list(t.exclusions), "feed": f"{request.app.state.public_url}/feeds/{t.id}.atom",
    }  # fmt: skip


@router.get("/topics", summary="The topics in force", response_model=TopicPage)
def topics(request: Request) -> dict[str, Any]:
    return {"items": [_topic_json(request, t) for t in request.app.state.topics], "next_cursor": None}


@router.get(
    "/topics/{topic_id}", summary="One topic with matched stories per day and per source",
    response_model=TopicDetail,
)  # fmt: skip
def topic(
    request: Request, topic_id: str = Path(max_length=100), days: int = Query(90, ge=1, le=3660)
) -> dict[str, Any]:
    t = topic_or_404(request, topic_id)
    with request.app.state.db.session() as s:
        series = daily_counts(s, t.id, days=days)
        per_source = source_counts(s, t.id)
    out = _topic_json(request, t)
    out["per_day"] = [{"day": d.isoformat(), "stories": n} for d, n in series]
    out["per_source"] = [{"source": src, "articles": n} for src, n in per_source]
    return out


def _searchable(request: Request, q: str, **filters: Any) -> bool:
    """Whether the query and filters alone are fine (then a refusal was the cursor's)."""
    import search

    try:
        story_filter(request, matched_only=False, **filters)
        search.parse_query(q.strip())
    except (BadRequest, search.QueryError):
        return False
    return True


@router.get(
    "/search", summary="Full-text search over titles and bodies (Chinese, Latin, numbers)",
    response_model=SearchPage,
)  # fmt: skip
def search(
    request: Request,
    q: str = Query(
        ..., min_length=1, max_length=500, pattern=QUERY_PATTERN,
        description='words (all must occur); "a phrase"; -exclude. Starts with a word or phrase to '
        "find (a letter, digit or Chinese character first); at most 12 space-separated parts",
    ),
    topic: str | None = Topic, source: str | None = Source, since: str | None = Since,
    until: str | None = Until, limit: int = Limit, cursor: str | None = Cursor,
    group: Literal["story", "article"] = Query(
        "story", description="story: one item per story (its lead's title, url and source; the snippet of "
        "its best-ranked copy; the other copies in `copies`); article: one item per matching article",
    ),
) -> dict[str, Any]:  # fmt: skip
    filters = dict(topic=topic, source=source, **_days(since, until))
    try:
        page = run_search(request, q, limit=limit, cursor=cursor, group=group, **filters)
    except BadRequest as exc:
        if cursor and exc.status == 400 and _searchable(request, q, **filters):
            raise BadRequest(
                "cursor: names no page of these results (pass next_cursor as given)", status=404
            ) from None
        raise
    items = [hit_item(h) for h in page.hits]
    return plain({"items": items, "next_cursor": page.next_cursor, "total": page.total})


@router.get("/sources", summary="Every source with its crawl health", response_model=SourcePage)
def sources(request: Request) -> dict[str, Any]:
    with request.app.state.db.session() as s:
        health = source_health(s, known_sources(request), request.app.state.health)
    return {"items": health, "next_cursor": None, "nodes": crawler_nodes(request)}
