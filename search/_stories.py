"""search_stories(): search results as stories. A republished story matches once per copy; a
reader wants it once: its lead's title, the best-ranked copy's snippet, and the other copies.

Grouping happens inside the ranking window :func:`search.search` already computes (the newest
250 matches, ranked): each story sits where its best-ranked copy ranks. Past the window, older
matches follow newest first, each story at its newest older match, skipping stories already shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import Article, Story, fulltext_window, to_beijing
from storage.fulltext_window import Match, Matches
from storage.story_views import summaries

from ._query import parse_query
from ._search import (
    MAX_LIMIT,
    RANK_WINDOW,
    TITLE_WEIGHT,
    _beijing_bound,
    _decode_cursor,
    _encode_cursor,
    _phrases,
)
from ._snippet import highlight, snippet

__all__ = ["Copy", "StoryHit", "StoryPage", "search_stories"]

_OLDER_CHUNK = 50


@dataclass(frozen=True)
class Copy:
    """Another source's copy of a found story."""

    article_id: int
    source: str
    title: str
    url: str
    published_at: datetime | None  # Beijing time


@dataclass(frozen=True)
class StoryHit:
    """One found story, told by its lead: ``article_id``/``source``/``url``/``title``/``published_at``
    are the lead's (the found article's when it belongs to no story); ``snippet_html`` is from
    ``best_article_id``, the best-ranked matching copy; ``copies`` are the story's other articles."""

    story_id: int | None
    article_id: int
    source: str
    url: str
    title: str
    title_html: str
    snippet_html: str
    published_at: datetime | None  # Beijing time
    score: float
    best_article_id: int
    copies: tuple[Copy, ...]


@dataclass(frozen=True)
class StoryPage:
    """One page of stories. ``total`` counts stories: exact while every match fits the ranking
    window; past it (``total_exact`` False) the archive-wide article estimate scaled by the
    window's stories per article, since counting every story of a common word costs a full scan."""

    hits: list[StoryHit]
    next_cursor: str | None
    total: int
    total_exact: bool = True


def _key(m: Match) -> tuple[str, int]:
    return ("s", m.story_id) if m.story_id is not None else ("a", m.article_id)


def _best_per_story(rows: list[Match]) -> list[Match]:
    """Each story's best-ranked match, in rank order."""
    best: dict[tuple[str, int], Match] = {}
    for r in rows:
        best.setdefault(_key(r), r)
    return list(best.values())


def _older(m: Matches, seen: set, below: int, cut: int, need: int) -> list[Match]:
    """Up to ``need`` stories from the matches under ``below``, newest first; a story counts at
    its newest match under the window's ``cut``, so one shown on an earlier page (a match in
    [below, cut)) or in the window (``seen``) is not shown again."""
    out: list[Match] = []
    start, size = below, max(_OLDER_CHUNK, need * 4)
    while len(out) < need:
        chunk = m.older(start, size)
        fresh = {r.story_id for r in chunk if r.story_id is not None and _key(r) not in seen}
        earlier = m.stories_matching(fresh, below, cut) if below < cut else set()
        for r in chunk:
            if _key(r) in seen or r.story_id in earlier:
                continue
            seen.add(_key(r))
            out.append(r)
            if len(out) >= need:
                return out
        if len(chunk) < size:
            return out
        start, size = chunk[-1].article_id, size * 2
    return out


def search_stories(
    session: Session,
    q: str,
    *,
    topic: str | None = None,
    source: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    limit: int = 20,
    cursor: str | None = None,
    window: int = RANK_WINDOW,
) -> StoryPage:
    """Stories with an article matching ``q``, one hit per story, ranked by their best-ranked
    matching copy (as :func:`search.search` ranks articles). Same arguments and errors as
    :func:`search.search`; its cursors and these are not interchangeable. ``window``: how many
    of the newest matches are ranked (and grouped exactly)."""
    parsed = parse_query(q)
    offset, *rest = _decode_cursor(cursor, kind="s", parts=2)
    below = rest[0] if rest else None
    limit = max(1, min(int(limit), MAX_LIMIT))
    bounds = dict(since=_beijing_bound(since, end=False), until=_beijing_bound(until, end=True))
    with fulltext_window.matches(
        session, *_phrases(parsed), topic=topic or None, source=source or None,
        title_weight=TITLE_WEIGHT, **bounds,
    ) as m:  # fmt: skip
        win = m.window(max(1, window))
        groups = _best_per_story(win.rows)
        page = groups[offset : offset + limit + 1] if below is None else []
        if len(page) <= limit and win.cut is not None:
            seen = {_key(g) for g in groups}
            page += _older(m, seen, below or win.cut, win.cut, limit + 1 - len(page))
    more, page = len(page) > limit, page[:limit]
    next_cursor = None
    if more:
        last = page[-1].article_id
        past = win.cut is not None and last < win.cut
        next_cursor = _encode_cursor(offset + limit, *([last] if past else []), kind="s")
    total = len(groups)
    if win.cut is not None:
        total = max(total, round(win.total * len(groups) / max(1, len(win.rows))))
    return StoryPage(_hits(session, page, parsed.units), next_cursor, total, win.cut is None)


def _hits(session: Session, page: list[Match], units: Any) -> list[StoryHit]:
    """The page's stories told by their leads, with the best-ranked copy's snippet."""
    story_ids = [m.story_id for m in page if m.story_id is not None]
    stories = session.scalars(select(Story).where(Story.id.in_(story_ids))).all() if story_ids else []
    told = {s["id"]: s for s in summaries(session, list(stories))}
    best = {
        r.id: r
        for r in session.execute(
            select(Article.id, Article.title, Article.url, Article.source, Article.body_text, Article.published_at)
            .where(Article.id.in_([m.article_id for m in page]))
        )
    }  # fmt: skip
    hits = []
    for m in page:
        found = best.get(m.article_id)
        story = told.get(m.story_id) if m.story_id is not None else None
        if found is None:
            continue  # deleted between the queries
        articles = story["articles"] if story and story["articles"] else [found._asdict()]
        lead = articles[0]
        hits.append(
            StoryHit(
                story_id=m.story_id,
                article_id=lead["id"],
                source=lead["source"],
                url=lead["url"],
                title=lead["title"] or "",
                title_html=highlight(lead["title"] or "", units),
                snippet_html=snippet(found.body_text or "", units),
                published_at=to_beijing(lead["published_at"]),
                score=m.score,
                best_article_id=m.article_id,
                copies=tuple(
                    Copy(a["id"], a["source"], a["title"] or "", a["url"], to_beijing(a["published_at"]))
                    for a in articles[1:]
                ),
            )  # fmt: skip
        )
    return hits
