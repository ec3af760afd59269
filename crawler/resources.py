"""What the crawlers of one run share: the crawl store and the ingest worker.

Scrapy keeps per-run state on the Crawler, not in module globals; a run here is several
crawlers (one per source) that must share one store (so two sources listing one post fetch it
once) and one ingest worker. `run_crawl` makes one CrawlResources per call and hangs it on each
of its crawlers; it is closed when the run ends, so nothing leaks into the next run of a
long-lived process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrapy import signals

from .store import CrawlStore, open_store
from .worker import WORKER_SETTINGS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from .worker import IngestWorker

__all__ = ["CrawlResources", "WORKER_SETTINGS"]

_ATTR = "newsradar_resources"


class CrawlResources:
    """The store and ingest worker of one crawl run, made on first use and closed with the run."""

    def __init__(self, settings: Mapping[str, Any], worker: IngestWorker | None = None) -> None:
        """worker: one started already (crawler.worker.start_worker), from now on the run's."""
        self.settings = {k: settings.get(k) for k in WORKER_SETTINGS}
        self._reader: CrawlStore | None = None
        self._store: CrawlStore | None = None
        self._worker: IngestWorker | None = worker

    def attach(self, crawler: Crawler) -> None:
        """Share these resources with one more crawler of the run."""
        setattr(crawler, _ATTR, self)

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlResources:
        """The resources of the crawler's run. A crawler not started by run_crawl (a Scrapyd job)
        gets its own, closed when its engine stops."""
        res = getattr(crawler, _ATTR, None)
        if res is None:
            res = cls(crawler.settings)
            res.attach(crawler)
            crawler.signals.connect(res.close, signal=signals.engine_stopped)
        return res

    def reader(self) -> CrawlStore:
        """The store spiders read through (known URLs, validators); no classifier."""
        if self._reader is None:
            self._reader = open_store(self.settings, matcher=False)
        return self._reader

    def store(self) -> CrawlStore:
        """The store that ingests in this process (ingest_worker = false): with the classifier."""
        if self._store is None:
            self._store = open_store(self.settings, migrate=self._reader is None)
        return self._store

    def worker(self) -> IngestWorker:
        """The ingest worker process, started on first use (run_crawl starts it before Scrapy)."""
        if self._worker is None:
            from .worker import IngestWorker

            self._worker = IngestWorker(self.settings)
        return self._worker

    def close(self) -> None:
        """Stop the worker (every item has been answered once the engine stopped), drop the stores."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        for store in (self._reader, self._store):
            if store is not None:
                store.db.dispose()
        self._reader = self._store = None
