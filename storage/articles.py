"""Article rows: write one article with its revision, policy row and topic matches; no deciding.

What to write (is the page new, changed, which topics matched) is decided above storage, in
processor.ingest; these are the primitives it writes with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from .models import Article, ArticleRevision, PolicyDocument, TopicMatch
from .types import utcnow

__all__ = [
    "ARTICLE_FIELDS",
    "MatchLike",
    "content_hash",
    "find_article",
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


def set_list_stamp(session: Session, article_id: int, stamp: str) -> None:
    """Record the list page's stamp of an unchanged article (no flush, no commit)."""
    session.execute(update(Article).where(Article.id == article_id).values(list_stamp=stamp))


def _policy_row(article: Article, policy: Mapping[str, Any]) -> None:
    row = article.policy or PolicyDocument()
    for key, value in policy.items():
        if key in _POLICY_DATES and isinstance(value, str):
            value = date.fromisoformat(value)
        setattr(row, key, value)
    article.policy = row


def _match_row(row: TopicMatch, m: MatchLike) -> TopicMatch:
    row.topic_id = m.topic_id
    row.score = m.score
    row.terms = dict(m.terms)
    row.evidence = m.evidence
    row.spans = [list(s) for s in m.spans]
    row.topic_hash = m.topic_hash
    row.matched_at = utcnow()
    return row


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

    A new article's `matches` are attached before the first flush (no lazy load, one INSERT
    each); an update keeps the previous text as an ArticleRevision and leaves the matches to
    `replace_matches`. `fields` holds ARTICLE_FIELDS plus tags, canonical_url and content_hash.
    """
    article = session.get(Article, article_id) if article_id is not None else None
    if article is None:
        article = Article(
            url=url, fetched_at=utcnow(), matches=[_match_row(TopicMatch(), m) for m in matches]
        )
        session.add(article)
    else:
        session.add(
            ArticleRevision(
                article_id=article.id,
                content_hash=article.content_hash,
                title=article.title,
                body_text=article.body_text,
            )
        )
        article.updated_at = utcnow()
    for name, value in fields.items():
        setattr(article, name, value)
    if policy:
        _policy_row(article, policy)
    session.flush()
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
