"""Ingest: classify one extracted article, group it into its story and queue the alerts it causes.

The deciding happens here; the writing is storage's (storage.articles, storage.stories,
storage.deliveries). Everything for one article happens in one transaction: an article is never
stored without its matches, its story and its pending alerts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

import search
from storage import Article, TopicMatch, stories
from storage.articles import (
    ARTICLE_FIELDS,
    MatchLike,
    content_hash,
    find_article,
    find_articles,
    replace_matches,
    set_list_stamp,
    write_article,
)

from .fanout import followed_topics, queue_alerts
from .items import ArticleData, IngestResult
from .stories import assign as assign_story
from .watches import WatchMatcher

__all__ = ["IngestResult", "Ingestor", "Matcher"]

# (title, body text) -> the topics it matches; classifier.matcher_from_topics builds one.
Matcher = Callable[[str, str], Sequence[MatchLike]]


@dataclass
class _Batch:
    """What a batch of ingests in one transaction reads once instead of once per article: nothing
    an ingest writes changes it, except the stored articles (a URL met twice is looked up again)."""

    known: dict[str, Row]  # url -> find_article's row, for the batch's URLs stored before it
    followed: Collection[str]  # fanout.followed_topics()
    seen: set[str] = field(default_factory=set)  # URLs ingested so far in the batch


class Ingestor:
    """Stores articles with what follows from them; the classifier is passed in (a Matcher).

    ``watches``: the process's in-memory watch index (one is made when not given), so every stored
    or changed article is matched against the subscribers' watches as search would match it.
    """

    def __init__(self, matcher: Matcher | None = None, watches: WatchMatcher | None = None) -> None:
        self.matcher = matcher
        self.watches = watches if watches is not None else WatchMatcher()

    def _watch_hits(
        self, session: Session, article: Article, tokens: tuple[str, str], *, refresh: bool = True
    ) -> list[tuple[int, int]]:
        """(watch id, subscriber id) of the watches this article matches (``tokens``: its index tokens)."""

        def topic_ids() -> set[str]:
            return set(
                session.scalars(select(TopicMatch.topic_id).where(TopicMatch.article_id == article.id))
            )

        return self.watches.match(
            session,
            article.source,
            article.title or "",
            article.body_text or "",
            topic_ids,
            tokens,
            refresh=refresh,
        )

    def ingest(self, session: Session, data: ArticleData, *, commit: bool = True) -> IngestResult:
        """Store or update one article and everything that follows from it, in one transaction.

        commit=False leaves the commit to the caller, who may store several articles in one
        transaction: all of them or none, never an article without its matches and alerts.
        """
        return self._ingest(session, data, commit=commit)

    def ingest_many(self, session: Session, items: Sequence[ArticleData]) -> list[IngestResult]:
        """Store several articles in the caller's transaction, in order, as `ingest(commit=False)`
        would one by one (the caller commits all or none), reading once for the batch what would
        otherwise be read per article: which URLs are stored, the watches, the followed topics."""
        if not items:
            return []
        batch = _Batch(find_articles(session, [d.url for d in items]), followed_topics(session))
        self.watches.refresh(session)
        return [self._ingest(session, d, commit=False, batch=batch) for d in items]

    def _ingest(
        self, session: Session, data: ArticleData, *, commit: bool, batch: _Batch | None = None
    ) -> IngestResult:
        fingerprint = content_hash(data.title, data.body_text)
        if batch is None or data.url in batch.seen:
            known = find_article(session, data.url)
        else:
            known = batch.known.get(data.url)
        if batch is not None:
            batch.seen.add(data.url)
        if known is not None and known.content_hash == fingerprint:
            if data.list_stamp and known.list_stamp != data.list_stamp:
                set_list_stamp(session, known.id, data.list_stamp)
                if commit:
                    session.commit()
            return IngestResult("unchanged", known.id, known.story_id, [])
        status = "new" if known is None else "updated"
        matches = self.matcher(data.title, data.body_text) if self.matcher is not None else []
        fields = {name: getattr(data, name) for name in ARTICLE_FIELDS}
        fields.update(
            tags=list(data.tags), canonical_url=data.canonical_url or data.url, content_hash=fingerprint
        )
        article = write_article(
            session,
            None if known is None else known.id,
            data.url,
            fields,
            policy=data.policy,
            matches=matches,
        )
        tokens = search.index_article(session, article, new=status == "new")
        if status == "updated" and self.matcher is not None:
            replace_matches(session, article, matches)
        story = assign_story(session, article, changed=(status == "updated"))
        new_topics = stories.add_topics(session, story, {m.topic_id for m in matches})
        watched = self._watch_hits(session, article, tokens, refresh=batch is None)
        if new_topics or watched:
            queue_alerts(
                session,
                story,
                new_topics,
                watches=watched,
                followed=None if batch is None else batch.followed,
            )
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
            replace_matches(session, article, matches)
            after = {m.topic_id: (round(m.score, 6), m.topic_hash) for m in matches}
            stats["added"] += len(after.keys() - before.keys())
            stats["removed"] += len(before.keys() - after.keys())
            stats["changed"] += before != after
            if article.story_id is not None:
                story = assign_story(session, article, changed=False)
                new_topics = stories.add_topics(session, story, set(after))
                if new_topics:
                    queue_alerts(session, story, new_topics)
                    stats["alerts"] += 1
            session.commit()
            if progress is not None and (n % 50 == 0 or n == len(ids)):
                progress(n, len(ids))
        return stats
