"""The archive's one way into the `search` package, with the pages' parameter checks."""

from __future__ import annotations

from typing import Any

from fastapi import Request

import search

from . import render
from .errors import BadRequest
from .params import story_filter

__all__ = ["GROUPS", "hit_item", "run_search"]

#: How results come: one per story (its lead, the other copies listed) or one per article.
GROUPS = ("story", "article")


def run_search(
    request: Request,
    q: str,
    *,
    topic: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    group: str = "story",
) -> Any:
    """search.search_stories() (``group="story"``) or search.search() (``"article"``) on the app's
    database; bad queries (too long, nothing to search for) and filters become 400s with search's
    own explanation."""
    q = (q or "").strip()
    if group not in GROUPS:
        raise BadRequest(f"group: {group[:20]!r} is not one of {', '.join(GROUPS)}")
    if not q:
        raise BadRequest("q: give words to search for, e.g. ?q=数字人民币")
    f = story_filter(request, topic=topic, source=source, since=since, until=until, matched_only=False)
    with request.app.state.db.session() as s:
        try:
            find = search.search_stories if group == "story" else search.search
            return find(
                s, q, topic=f.topic, source=f.source, since=f.since, until=f.until, limit=limit, cursor=cursor
            )
        except search.QueryError as exc:
            raise BadRequest(f"q: {exc}") from None


def hit_item(hit: Any) -> dict[str, Any]:
    """One search hit as the API's item (datetimes left as they are): a story hit carries the
    lead's fields, the best-ranked copy's id and snippet, and ``copies``, the other articles."""
    item = {
        "article_id": hit.article_id,
        "story_id": hit.story_id,
        "source": hit.source,
        "url": hit.url,
        "title": hit.title,
        "title_html": render.sanitise(hit.title_html or ""),
        "snippet_html": render.sanitise(hit.snippet_html or ""),
        "published_at": hit.published_at,
        "score": hit.score,
    }
    if hasattr(hit, "copies"):
        item["best_article_id"] = hit.best_article_id
        item["copies"] = [
            {
                "article_id": c.article_id,
                "source": c.source,
                "title": c.title,
                "url": c.url,
                "published_at": c.published_at,
            }
            for c in hit.copies
        ]
    return item
