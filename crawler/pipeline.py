"""Item pipeline: every extracted article goes through storage's ingest transaction.

Ingest (classify, find the story, write) costs as much CPU as fetching and parsing a page, so by
default it runs in one worker process beside the crawl (crawler/worker.py): the reactor keeps
downloading while the second core stores. Articles are still stored one at a time, one transaction each.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import Settings

from storage.ingest import ArticleData

from .store import store_from_settings
from .worker import IngestWorker

__all__ = ["StoragePipeline", "shutdown_workers", "start_worker"]

log = logging.getLogger(__name__)

_WORKERS: dict[tuple, IngestWorker] = {}


def start_worker(settings: Settings | dict) -> IngestWorker:
    """One ingest worker per process and database, shared by every source's crawler."""
    plain = {k: settings.get(k) for k in ("NEWSRADAR_DATABASE_URL", "NEWSRADAR_MATCHER", "NEWSRADAR_CONFIG")}
    key = tuple(plain.values())
    if key not in _WORKERS:
        _WORKERS[key] = IngestWorker(plain)
    return _WORKERS[key]


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.in_process = not crawler.settings.getbool("NEWSRADAR_INGEST_WORKER", True)
        self.store = store_from_settings(crawler.settings) if self.in_process else None
        self.worker = None if self.in_process else start_worker(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    async def process_item(self, item: ArticleData, spider: object = None) -> ArticleData:
        try:
            if self.in_process:
                result = self.store.ingest(item)
            else:
                result = await self.worker.submit(item)
        except Exception as exc:  # one bad article must not stop the crawl
            self._failed(item, f"{type(exc).__name__}: {exc}" if self.in_process else str(exc))
        self.stats.inc_value(f"newsradar/{result.status}")
        if result.new_topics:
            self.stats.inc_value("newsradar/alerting_stories")
        return item

    def _failed(self, item: ArticleData, reason: str):
        log.error("could not store %s: %s", item.url, reason)
        self.stats.inc_value("newsradar/errors")
        spider = self.crawler.spider
        if spider is not None:
            spider.mark_failed(item.url)
        raise DropItem(f"storage failed: {reason}")


def shutdown_workers() -> None:
    """Stop the workers once the crawl is over (every item has been answered by then)."""
    for worker in _WORKERS.values():
        worker.close()
    _WORKERS.clear()
