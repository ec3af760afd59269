"""The archive's one way into the `search` package, with the pages' parameter checks."""

from __future__ import annotations

from typing import Any

from fastapi import Request

import search

from .errors import BadRequest
from .params import story_filter

__all__ = ["run_search"]


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
) -> Any:
    """search.search() on the app's database; bad queries (too long, nothing to search for) and
    filters become 400s with search's own explanation."""
    q = (q or "").strip()
    if not q:
        raise BadRequest("q: give words to search for, e.g. ?q=数字人民币")
    f = story_filter(request, topic=topic, source=source, since=since, until=until, matched_only=False)
    with request.app.state.db.session() as s:
        try:
            return search.search(
                s, q, topic=f.topic, source=f.source, since=f.since, until=f.until, limit=limit, cursor=cursor
            )
        except search.QueryError as exc:
            raise BadRequest(f"q: {exc}") from None
