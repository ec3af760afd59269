"""Ingest: store one extracted article, its topic matches, its story and its pending alerts in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import outbox, stories
from .models import Article, ArticleRevision, PolicyDocument, Story, StoryTopic, TopicMatch
from .types import utcnow

__all__ = ["ArticleData", "IngestResult", "Ingestor", "MatchData", "Matcher", "content_hash"]


@dataclass
class ArticleData:
    """What an adapter extracted from one page; the crawler's item and the ingest's input."""

    source: str
    url: str
    title: str
    body_text: str
    canonical_url: str | None = None
    published_at: datetime | None = None
    origin: str | None = None
    author: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    body_html: str = ""
    language: str = "zh"
    extraction: str = "selectors"
    list_stamp: str | None = None
    tier: int = 3
    policy: dict[str, Any] | None = None


@dataclass(frozen=True)
class MatchData:
    """One topic match as the classifier reports it, in storage's own terms."""

    topic_id: str
    score: float
    terms: dict[str, int]
    evidence: str
    spans: Sequence[Sequence[int]]
    topic_hash: str


Matcher = Callable[[str, str], list[MatchData]]


@dataclass
class IngestResult:
    status: str  # new | updated | unchanged
    article_id: int
    story_id: int | None
    new_topics: list[str]


def content_hash(title: str, body_text: str) -> str:
    """Hash of what a reader sees; a changed hash means the page really changed."""
    return hashlib.sha256(f"{title}\n{body_text}".encode()).hexdigest()


_POLICY_DATES = ("written_date", "published_date", "effective_date")


def _policy_row(article: Article, policy: dict[str, Any]) -> None:
    row = article.policy or PolicyDocument()
    for key, value in policy.items():
        if key in _POLICY_DATES and isinstance(value, str):
            value = date.fromisoformat(value)
        setattr(row, key, value)
    article.policy = row


def _match_row(row: TopicMatch, m: MatchData) -> TopicMatch:
    row.topic_id = m.topic_id
    row.score = m.score
    row.terms = dict(m.terms)
    row.evidence = m.evidence
    row.spans = [list(s) for s in m.spans]
    row.topic_hash = m.topic_hash
    row.matched_at = utcnow()
    return row


class Ingestor:
    """Writes articles; the classifier is passed in so storage never depends on it."""

    def __init__(self, matcher: Matcher | None = None) -> None:
        self.matcher = matcher

    def ingest(self, session: Session, data: ArticleData, *, commit: bool = True) -> IngestResult:
        """Store or update one article and everything that follows from it, in one transaction.

        commit=False leaves the commit to the caller, who may store several articles in one
        transaction: all of them or none, never an article without its matches and alerts.
        """
        digest = content_hash(data.title, data.body_text)
        known = session.execute(
            select(Article.id, Article.content_hash, Article.list_stamp, Article.story_id).where(
                Article.url == data.url
            )
        ).first()
        if known is not None and known.content_hash == digest:
            if data.list_stamp and known.list_stamp != data.list_stamp:
                session.execute(
                    update(Article).where(Article.id == known.id).values(list_stamp=data.list_stamp)
                )
                if commit:
                    session.commit()
            return IngestResult("unchanged", known.id, known.story_id, [])
        article = session.get(Article, known.id) if known is not None else None
        status = "new" if article is None else "updated"
        matches = self.matcher(data.title, data.body_text) if self.matcher is not None else []
        if article is None:
            # A new article's matches are attached before the first flush: no lazy load, one INSERT each.
            article = Article(
                url=data.url, fetched_at=utcnow(), matches=[_match_row(TopicMatch(), m) for m in matches]
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
        for name in (
            "source", "title", "published_at", "origin", "author", "category", "summary",
            "body_text", "body_html", "language", "extraction", "list_stamp", "tier",
        ):  # fmt: skip
            setattr(article, name, getattr(data, name))
        article.tags = list(data.tags)
        article.canonical_url = data.canonical_url or data.url
        article.content_hash = digest
        if data.policy:
            _policy_row(article, data.policy)
        session.flush()

        if status == "updated" and self.matcher is not None:
            self._store_matches(session, article, matches)
        story = stories.assign(session, article, changed=(status == "updated"))
        new_topics = self._add_story_topics(session, story, {m.topic_id for m in matches})
        if new_topics:
            outbox.enqueue(session, story, new_topics)
        if commit:
            session.commit()
        else:
            session.flush()
        return IngestResult(status, article.id, story.id, new_topics)

    def reclassify(
        self,
        session: Session,
        *,
        since: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, int]:
        """Re-match stored articles with the current topics; rows are updated in place, never duplicated.
        A story that gains a topic this way alerts its subscribers like a new match would."""
        query = select(Article.id).order_by(Article.id)
        if since is not None:
            query = query.where(
                (Article.published_at >= since)
                | (Article.published_at.is_(None) & (Article.fetched_at >= since))
            )
        ids = list(session.scalars(query))
        stats = {"articles": len(ids), "changed": 0, "added": 0, "removed": 0, "alerts": 0}
        for n, article_id in enumerate(ids, 1):
            article = session.get(Article, article_id)
            before = {m.topic_id: (round(m.score, 6), m.topic_hash) for m in article.matches}
            matches = self.matcher(article.title, article.body_text) if self.matcher else []
            self._store_matches(session, article, matches)
            after = {m.topic_id: (round(m.score, 6), m.topic_hash) for m in matches}
            stats["added"] += len(after.keys() - before.keys())
            stats["removed"] += len(before.keys() - after.keys())
            stats["changed"] += before != after
            if article.story_id is not None:
                story = stories.assign(session, article, changed=False)
                new_topics = self._add_story_topics(session, story, set(after))
                if new_topics:
                    outbox.enqueue(session, story, new_topics)
                    stats["alerts"] += 1
            session.commit()
            if progress is not None and (n % 50 == 0 or n == len(ids)):
                progress(n, len(ids))
        return stats

    @staticmethod
    def _store_matches(session: Session, article: Article, matches: list[MatchData]) -> None:
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

    @staticmethod
    def _add_story_topics(session: Session, story: Story, article_topics: set[str]) -> list[str]:
        """Grow the story's topics (the union of its articles' matches, kept as first seen);
        returns the topics the story did not have before: those are what may alert."""
        if not article_topics:
            return []
        have = set(session.scalars(select(StoryTopic.topic_id).where(StoryTopic.story_id == story.id)))
        added = sorted(article_topics - have)
        for topic_id in added:
            session.add(StoryTopic(story_id=story.id, topic_id=topic_id))
        session.flush()
        return added
