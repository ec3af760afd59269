"""What a command needs, loaded on first use: config, database, classifier."""

from __future__ import annotations

import sys
from functools import cached_property
from typing import TYPE_CHECKING, TextIO

from storage import Database
from storage.ingest import MatchData, Matcher

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from classifier import Classifier

from .config import Config, load

__all__ = ["Context"]


class Context:
    """Lazily built so `newsradar --help` or `classify --jsonl` never touch the database."""

    def __init__(self, config_path: str | None = None, out: TextIO | None = None) -> None:
        self.config_path = config_path
        self.out = out or sys.stdout
        self._db: Database | None = None

    @cached_property
    def config(self) -> Config:
        return load(self.config_path)

    def db(self) -> Database:
        """The configured database, migrated to the current schema."""
        if self._db is None:
            db = Database(self.config.database_url)
            db.migrate()
            self._db = db
        return self._db

    @cached_property
    def classifier(self) -> Classifier:
        from classifier import Classifier, default_topics

        return Classifier(self.config.topics or default_topics())

    def matcher(self) -> Matcher:
        """The classifier as storage sees it: (title, text) -> MatchData list."""
        clf = self.classifier
        hashes = clf.hashes()

        def match(title: str, text: str) -> list[MatchData]:
            return [
                MatchData(m.topic_id, m.score, dict(m.terms), m.evidence, m.spans, hashes[m.topic_id])
                for m in clf.classify(title, text)
            ]

        return match


def matcher_from_settings(settings: Mapping[str, Any]) -> Matcher:
    """Scrapy-side factory (NEWSRADAR_MATCHER): the classifier of the config named in settings."""
    return Context(settings.get("NEWSRADAR_CONFIG")).matcher()
