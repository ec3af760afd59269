"""What a command needs, loaded on first use: config, database, classifier."""

from __future__ import annotations

import sys
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

from common import PrintableStream

if TYPE_CHECKING:
    from collections.abc import Sequence

    from classifier import Classifier, Topic
    from processor import Matcher
    from storage import Database

from .config import Config, ConfigError, Source, load

__all__ = ["Context"]


class Context:
    """Lazily built so `newsradar --help` or `classify --jsonl` never touch the database."""

    def __init__(self, config_path: str | None = None, out: TextIO | None = None) -> None:
        self.config_path = config_path
        self.out: TextIO = PrintableStream(out or sys.stdout)  # type: ignore[assignment]
        self._db: Database | None = None

    @cached_property
    def config(self) -> Config:
        return load(self.config_path)

    def db(self, *, create: bool = True) -> Database:
        """The configured database, migrated to the current schema. Commands that only read pass
        create=False: they never leave a new empty database behind (status in an empty folder)."""
        if self._db is None:
            from storage import Database, DatabaseError  # here: classify and --help need no SQLAlchemy

            db = Database(self.config.database_url)
            if not create and not db.exists():
                db.dispose()
                raise DatabaseError(
                    f"no database yet at {db.engine.url.database}: `newsradar init` creates it "
                    "(then `newsradar crawl` fills it)"
                )
            db.migrate()
            from storage.fulltext_index import index_missing  # storage.fulltext loads the PG dialect
            from storage.state import get_setting
            from storage.stories import FILL_KEY

            with db.session() as s:
                missing = index_missing(s)
                stories_pending = get_setting(s, FILL_KEY) is not None
            if missing:  # the search index of an archive older than it (migration 0005 asks)
                from search import ensure_index  # only then: the search package is slow to import

                ensure_index(db)
            if stories_pending:  # the story fingerprints of an archive older than them (0012 asks)
                from processor.stories import ensure_story_index

                ensure_story_index(db)
            self._db = db
        return self._db

    @property
    def topics(self) -> list[Topic]:
        """The topics in force (config.py resolves them: the built-ins, replaced or extended by
        [[topics]]); every command, the crawl and the notifiers take them from here."""
        return self.config.topics

    @cached_property
    def classifier(self) -> Classifier:
        from classifier import Classifier

        return Classifier(self.topics)

    def crawl_sources(self, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The named sources (else every enabled one) as plain data, what spiders receive."""
        cfg = self.config
        sources = [cfg.source(n) for n in names] if names else [s for s in cfg.sources if s.enabled]
        if not sources:
            raise ConfigError(
                cfg.path, "sources", "no sources configured: add [[sources]] (see `newsradar init`)"
            )
        return [self.plain_source(s) for s in sources]

    @staticmethod
    def plain_source(source: Source) -> dict[str, Any]:
        """A source as the plain data a spider receives (also for one not in the config yet)."""
        return source.plain()

    def crawl_settings(self, verbose: int = 0, *, store: bool = True, migrate: bool = True) -> dict[str, Any]:
        """Scrapy settings from [crawl], as plain data. With store, the database is opened
        (and migrated) now, so a bad URL fails before the crawl (migrate=False: the caller calls
        db() itself, before the crawl); and the topics in force go along as plain data, for
        whichever process classifies what is stored."""
        from classifier import plain_topics
        from crawler import scrapy_settings

        cfg = self.config
        if store and migrate:
            self.db()
        return scrapy_settings(
            cfg.crawl,
            database_url=cfg.database_url,
            topics=plain_topics(self.topics) if store else None,
            log_level="INFO" if verbose else "WARNING",
        )

    def matcher(self) -> Matcher:
        """The classifier as the processor calls it: (title, text) -> matches with topic hashes."""
        return self.classifier.classify
