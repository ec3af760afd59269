"""The crawl's view of the database: which URLs are known, list-page validators, ingest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import select

from storage import Article, CrawlState, Database, utcnow
from storage.retries import clear_retries, due_retries, record_failure

if TYPE_CHECKING:
    from processor import ArticleData, Ingestor, IngestResult, Matcher

__all__ = ["CrawlStore", "matcher_from_settings", "open_store"]


class CrawlStore:
    """One crawl's reads and writes; the crawlers of a run share one (crawler.resources)."""

    def __init__(self, db: Database, matcher: Matcher | None = None) -> None:
        self.db = db
        self.matcher = matcher
        self._claimed: set[str] = set()

    @cached_property
    def ingestor(self) -> Ingestor:
        """Made on first ingest: the spiders' reader never ingests, so the crawl process does
        not import the ingest side (search index, stories, watches: ~0.3 s of start-up)."""
        from processor import Ingestor

        return Ingestor(self.matcher)

    def claim(self, url: str) -> bool:
        """First caller in this process wins: two sources listing one post fetch it once."""
        if url in self._claimed:
            return False
        self._claimed.add(url)
        return True

    def known(self, urls: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """url -> (source, list_stamp) for the URLs already stored."""
        urls = list(dict.fromkeys(urls))
        out: dict[str, tuple[str, str | None]] = {}
        with self.db.session() as s:
            for i in range(0, len(urls), 500):
                rows = s.execute(
                    select(Article.url, Article.source, Article.list_stamp).where(
                        Article.url.in_(urls[i : i + 500])
                    )
                )
                out.update({url: (source, stamp) for url, source, stamp in rows})
        return out

    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self.db.session() as s:
            row = s.get(CrawlState, url)
            return (row.etag, row.last_modified) if row else (None, None)

    def save_validators(self, source: str, pages: dict[str, tuple[str | None, str | None]]) -> None:
        if not pages:
            return
        with self.db.session() as s:
            for url, (etag, last_modified) in pages.items():
                row = s.get(CrawlState, url) or CrawlState(url=url, source=source)
                row.etag, row.last_modified, row.fetched_at = etag, last_modified, utcnow()
                s.add(row)
            s.commit()

    def walked(self, url: str) -> bool:
        """Has a crawl starting at this URL ever finished? (Its row exists, validators or not.)"""
        with self.db.session() as s:
            return s.get(CrawlState, url) is not None

    def mark_walked(self, source: str, urls: Iterable[str]) -> None:
        with self.db.session() as s:
            for url in urls:
                if s.get(CrawlState, url) is None:
                    s.add(CrawlState(url=url, source=source, fetched_at=utcnow()))
            s.commit()

    def due_retries(self, source: str) -> list[tuple[str, str | None, str | None]]:
        """(url, title, stamp) of the source's failed articles due for a retry."""
        with self.db.session() as s:
            return [(r.url, r.title, r.stamp) for r in due_retries(s, source)]

    def settle_retries(
        self, source: str, failed: Mapping[str, tuple[str | None, str | None, str]], stored: Iterable[str]
    ) -> None:
        """After a crawl: schedule the next try of each failed article (url -> title, stamp,
        reason), forget those stored now."""
        with self.db.session() as s:
            clear_retries(s, set(stored) - set(failed))
            for url, (title, stamp, reason) in failed.items():
                record_failure(s, source, url, reason, title=title, stamp=stamp)
            s.commit()

    def ingest(self, data: ArticleData) -> IngestResult:
        with self.db.session() as s:
            return self.ingestor.ingest(s, data)

    def ingest_many(self, items: list[ArticleData]) -> list[IngestResult | Exception]:
        """Store several articles in one transaction (one commit, not one each); if any fails,
        store them one by one so the others still land and the failure is reported alone."""
        with self.db.session() as s:
            try:
                results: list[IngestResult | Exception] = list(self.ingestor.ingest_many(s, items))
                s.commit()
                return results
            except Exception:
                s.rollback()
        out: list[IngestResult | Exception] = []
        for item in items:
            try:
                out.append(self.ingest(item))
            except Exception as exc:
                out.append(exc)
        return out


def matcher_from_settings(settings: Mapping) -> Matcher | None:
    """The classifier over NEWSRADAR_TOPICS (the topics in force, as plain data); None without
    topics. Built from the settings alone, so a worker process or a Scrapyd job reads no config."""
    topics = settings.get("NEWSRADAR_TOPICS")
    if not topics:
        return None
    from classifier import matcher_from_topics  # seconds to build: only where articles are stored

    return matcher_from_topics(topics)


def open_store(settings: Mapping, *, matcher: bool = True, migrate: bool = True) -> CrawlStore:
    """A store on NEWSRADAR_DATABASE_URL; with matcher, it classifies what it ingests.

    Spiders ask for no matcher: they only read what is stored, and building the classifier
    costs seconds. migrate=False where the parent process has migrated already.
    """
    url = settings.get("NEWSRADAR_DATABASE_URL")
    if not url:
        raise ValueError("NEWSRADAR_DATABASE_URL is not set")
    db = Database(url)
    if migrate:
        db.migrate()
    return CrawlStore(db, matcher_from_settings(settings) if matcher else None)
