"""Article rows: write one article with its revision, policy row and topic matches; no deciding.

What to write (is the page new, changed, which topics matched) is decided above storage, in
processor.ingest; these are the primitives it writes with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from . import source_totals, stories
from .models import Article, ArticleRevision, PolicyDocument, TopicMatch
from .types import utcnow

__all__ = [
    "ARTICLE_FIELDS",
    "MatchLike",
    "content_hash",
    "find_article",
    "find_articles",
    "replace_matches",
    "set_list_stamp",
    "write_article",
]

# Columns copied from what the crawler extracted (besides url, tags, canonical_url, content_hash).
ARTICLE_FIELDS = (
    "source", "title", "published_at", "origin", "author", "category", "summary",
    "body_text", "body_html", "language", "extraction", "list_stamp", "tier",
)  # fmt: skip
_POLICY_DATES = ("written_date", "published_date", "effective_date")
_ARTICLES = Article.__table__
_MATCHES = TopicMatch.__table__
_POLICIES = PolicyDocument.__table__


class MatchLike(Protocol):
    """One topic match as a classifier reports it (classifier.Match): what a TopicMatch row stores."""

    topic_id: str
    score: float
    terms: Mapping[str, int]
    evidence: str
    spans: Sequence[Sequence[int]]
    topic_hash: str


def content_hash(title: str, body_text: str) -> str:
    """Hash of what a reader sees; a changed hash means the page really changed."""
    return hashlib.sha256(f"{title}\n{body_text}".encode()).hexdigest()


def find_article(session: Session, url: str) -> Row | None:
    """(id, content_hash, list_stamp, story_id) of the stored article at `url`, or None."""
    return session.execute(
        select(Article.id, Article.content_hash, Article.list_stamp, Article.story_id).where(
            Article.url == url
        )
    ).first()


def find_articles(session: Session, urls: Sequence[str]) -> dict[str, Row]:
    """url -> (id, content_hash, list_stamp, story_id, url) of the stored articles among `urls`: what
    find_article gives, for a batch in one query per 500 URLs instead of one each."""
    urls = list(dict.fromkeys(urls))
    out: dict[str, Row] = {}
    for i in range(0, len(urls), 500):
        rows = session.execute(
            select(Article.id, Article.content_hash, Article.list_stamp, Article.story_id, Article.url).where(
                Article.url.in_(urls[i : i + 500])
            )
        )
        out.update({r.url: r for r in rows})
    return out


def set_list_stamp(session: Session, article_id: int, stamp: str) -> None:
    """Record the list page's stamp of an unchanged article (no flush, no commit)."""
    session.execute(update(Article).where(Article.id == article_id).values(list_stamp=stamp))


def _policy_row(article: Article, policy: Mapping[str, Any]) -> None:
    row = article.policy or PolicyDocument()
    for key, value in _policy_values(policy).items():
        setattr(row, key, value)
    article.policy = row


def _match_values(m: MatchLike) -> dict[str, Any]:
    return {
        "topic_id": m.topic_id,
        "score": m.score,
        "terms": dict(m.terms),
        "evidence": m.evidence,
        "spans": [list(s) for s in m.spans],
        "topic_hash": m.topic_hash,
        "matched_at": utcnow(),
    }


def _match_row(row: TopicMatch, m: MatchLike) -> TopicMatch:
    for name, value in _match_values(m).items():
        setattr(row, name, value)
    return row


def _policy_values(policy: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: date.fromisoformat(value) if key in _POLICY_DATES and isinstance(value, str) else value
        for key, value in policy.items()
    }


def write_article(
    session: Session,
    article_id: int | None,
    url: str,
    fields: Mapping[str, Any],
    *,
    policy: Mapping[str, Any] | None = None,
    matches: Sequence[MatchLike] = (),
) -> Article:
    """Insert a new article (article_id None) or update a stored one; flushes, never commits.

    A new article is written with Core INSERTs, its `matches` and `policy` with it; an update keeps the previous text as an ArticleRevision and leaves the matches to
    `replace_matches`. `fields` holds ARTICLE_FIELDS plus tags, canonical_url and content_hash.
    """
    article = session.get(Article, article_id) if article_id is not None else None
    if article is None:
        return _insert_article(session, url, fields, policy, matches)
    session.add(
        ArticleRevision(
            article_id=article.id,
            content_hash=article.content_hash,
            title=article.title,
            body_text=article.body_text,
        )
    )
    article.updated_at = utcnow()
    before = article.source
    for name, value in fields.items():
        setattr(article, name, value)
    if policy:
        _policy_row(article, policy)
    session.flush()
    if article.source != before:
        conn = session.connection()
        source_totals.bump(conn, {before: -1, article.source: 1})
        if article.story_id is not None:  # its story's per-source counts
            stories.move_source(conn, article.story_id, before, article.source)
    return article


def _insert_article(
    session: Session,
    url: str,
    fields: Mapping[str, Any],
    policy: Mapping[str, Any] | None,
    matches: Sequence[MatchLike],
) -> Article:
    """A new article's rows with Core INSERTs (the ORM's unit of work cost more than the rest of
    the write), then its Article made persistent in the session as if just loaded: `matches` and
    `policy` stay unloaded and load from the rows on first access."""
    conn = session.connection()
    values = {"url": url, "fetched_at": utcnow(), "updated_at": None, "story_id": None, **fields}
    article_id = conn.execute(insert(_ARTICLES).returning(_ARTICLES.c.id), values).scalar_one()
    source_totals.bump(conn, {values["source"]: 1})
    if matches:
        conn.execute(insert(_MATCHES), [{**_match_values(m), "article_id": article_id} for m in matches])
    if policy:  # keys that are no column were never stored (the ORM set them as plain attributes)
        row = {k: v for k, v in _policy_values(policy).items() if k in _POLICIES.c}
        conn.execute(insert(_POLICIES), {**row, "article_id": article_id})
    article = Article(id=article_id, **values)
    make_transient_to_detached(article)
    session.add(article)
    return article


def replace_matches(session: Session, article: Article, matches: Sequence[MatchLike]) -> None:
    """Replace the article's matches in place (unique per article and topic, never duplicated)."""
    existing = {m.topic_id: m for m in article.matches}
    wanted = {m.topic_id: m for m in matches}
    for topic_id, row in existing.items():
        if topic_id not in wanted:
            article.matches.remove(row)
    for topic_id, m in wanted.items():
        row = existing.get(topic_id)
        if row is None:
            row = TopicMatch()
            article.matches.append(row)
        _match_row(row, m)
    session.flush()
