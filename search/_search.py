"""search(): one ranked, highlighted page of articles for a query; index_article() for ingest."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import BEIJING, Article, ArticleRevision, fulltext, to_beijing

from ._query import ParsedQuery, QueryError, parse_query
from ._snippet import highlight, snippet
from ._tokens import index_tokens

log = logging.getLogger(__name__)

__all__ = ["Hit", "SearchPage", "ensure_index", "index_article", "rebuild_index", "search"]

MAX_LIMIT = 100
MAX_OFFSET = 10_000
TITLE_WEIGHT = 3.0
#: How many of the newest matches are ranked by relevance; older ones follow, newest first. Ranking
#: every match of a common word in a 100k archive would cost far more than the 50 ms a page may take;
#: a window of 1,000 cost PostgreSQL ~3 reads of 1,000 documents (12 KB tsvectors) per query.
RANK_WINDOW = 250


@dataclass(frozen=True)
class Hit:
    """One found article. ``title_html`` and ``snippet_html`` are escaped text with <mark> around hits."""

    article_id: int
    story_id: int | None
    source: str
    url: str
    title: str
    title_html: str
    snippet_html: str
    published_at: datetime | None  # Beijing time
    score: float


@dataclass(frozen=True)
class SearchPage:
    """One page of hits; ``total`` counts every match (an estimate when ``total_exact`` is False:
    more matches than the ranking window)."""

    hits: list[Hit]
    next_cursor: str | None
    total: int
    total_exact: bool = True


def index_article(session: Session, article: Article, *, new: bool = False) -> tuple[str, str]:
    """Index (or re-index) one article's title and body, inside the caller's transaction; returns
    the title's and body's tokens (watches match them without tokenising again).
    ``new``: the article was inserted in this transaction (nothing to replace)."""
    if article.id is None:
        session.flush()
    tokens = (index_tokens(article.title or ""), index_tokens(article.body_text or ""))
    fulltext.store(session, article.id, *tokens, new=new, previous=_previous(session, article.id))
    return tokens


def _previous(session: Session, article_id: int) -> fulltext.Previous:
    """The tokens of the article's earlier texts, newest first: the index keeps no copy of what
    it was given, and an edit's old entry is found again from the revision it was made from."""

    def tokens() -> Iterator[tuple[str, str]]:
        revisions = session.execute(
            select(ArticleRevision.title, ArticleRevision.body_text)
            .where(ArticleRevision.article_id == article_id)
            .order_by(ArticleRevision.id.desc())
        )
        for title, body in revisions:
            yield index_tokens(title or ""), index_tokens(body or "")

    return tokens


def rebuild_index(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Index every stored article (the migration's build for an existing archive); returns the count."""
    ids = list(session.scalars(select(Article.id).order_by(Article.id)))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(Article.id, Article.title, Article.body_text).where(Article.id.in_(chunk))
        ).all()
        for r in rows:
            title, body = index_tokens(r.title or ""), index_tokens(r.body_text or "")
            fulltext.store(session, r.id, title, body, previous=_previous(session, r.id))
        if progress is not None:
            progress(min(start + 500, len(ids)), len(ids))
    return len(ids)


def ensure_index(db: Any) -> int:
    """Index the stored articles when none is indexed yet (an archive from before migration 0005,
    which asks for this step); returns how many were indexed (0: nothing to do). Run after migrate."""
    with db.session() as session:
        if not fulltext.index_missing(session):
            return 0
        n = rebuild_index(session, lambda done, total: log.info("search index: %d/%d articles", done, total))
        session.commit()
    log.info("search index built for %d articles", n)
    return n


def _encode_cursor(offset: int, *more: int, kind: str = "o") -> str:
    raw = kind + ".".join(str(n) for n in (offset, *more))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, kind: str = "o", parts: int = 1) -> list[int]:
    """The numbers a cursor of this ``kind`` carries (offset first), [0] for none; a cursor of the
    other kind (article pages vs story pages) or a tampered one is refused, never guessed at."""
    if not cursor:
        return [0]
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        numbers = raw[len(kind) :].split(".")
        if (
            not raw.startswith(kind)
            or not 1 <= len(numbers) <= parts
            or not all(n.isdigit() for n in numbers)
        ):
            raise ValueError(raw)
        values = [int(n) for n in numbers]
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise QueryError("翻页参数无效，请重新搜索", "Invalid page cursor: search again.") from None
    if values[0] > MAX_OFFSET:
        raise QueryError(
            f"最多翻到第 {MAX_OFFSET} 条", f"Results beyond the first {MAX_OFFSET} are not shown."
        )
    return values


def _phrases(parsed: ParsedQuery) -> tuple[list, list]:
    """The query's terms and exclusions as storage's token phrases."""
    return (
        [[(t.text, t.prefix) for t in term.tokens] for term in parsed.terms],
        [[(t.text, t.prefix) for t in term.tokens] for term in parsed.excluded],
    )


def _beijing_bound(value: date | datetime | None, *, end: bool) -> datetime | None:
    """A filter bound as an aware datetime: naive values and plain dates are Beijing time;
    a date as ``until`` includes that whole day."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value + timedelta(days=1) if end else value, time(), BEIJING)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    return value


def search(
    session: Session,
    q: str,
    *,
    topic: str | None = None,
    source: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """Articles whose title or body contain every term of ``q`` and none of its exclusions, ranked
    title hits first, then by BM25-like relevance, then newest first.

    ``since`` is inclusive and ``until`` exclusive (a plain date as ``until`` includes that day);
    naive datetimes and dates are Beijing time. Raises :class:`QueryError` for a query that cannot
    be searched (empty, only exclusions, over 500 characters) or a bad cursor.
    """
    parsed = parse_query(q)
    offset = _decode_cursor(cursor)[0]
    limit = max(1, min(int(limit), MAX_LIMIT))
    found = fulltext.find(
        session,
        *_phrases(parsed),
        topic=topic or None,
        source=source or None,
        since=_beijing_bound(since, end=False),
        until=_beijing_bound(until, end=True),
        limit=limit,
        offset=offset,
        title_weight=TITLE_WEIGHT,
        window=RANK_WINDOW,
    )
    rows = found.rows
    ids = [r.article_id for r in rows]
    articles = {
        a.id: a
        for a in session.execute(
            select(
                Article.id, Article.story_id, Article.source, Article.url, Article.title,
                Article.body_text, Article.published_at,
            ).where(Article.id.in_(ids))
        )
    }  # fmt: skip
    units = parsed.units
    hits = [
        Hit(
            article_id=r.article_id,
            story_id=a.story_id,
            source=a.source,
            url=a.url,
            title=a.title,
            title_html=highlight(a.title or "", units),
            snippet_html=snippet(a.body_text or "", units),
            published_at=to_beijing(a.published_at),
            score=r.score,
        )
        for r in rows
        if (a := articles.get(r.article_id)) is not None
    ]
    return SearchPage(
        hits=hits,
        next_cursor=_encode_cursor(offset + limit) if found.more else None,
        total=found.total,
        total_exact=found.total_exact,
    )
