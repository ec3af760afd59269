"""Item pipeline: every extracted article goes through storage's ingest transaction.

Ingest (classify, find the story, write) costs more CPU than fetching and parsing a page, so by
default it runs in one worker process beside the crawl: the reactor keeps downloading while the
second core stores. Articles are still stored one at a time, in order, one transaction each.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.settings import Settings

from storage.ingest import ArticleData, IngestResult

from .store import CrawlStore, store_from_settings

__all__ = ["StoragePipeline"]

log = logging.getLogger(__name__)

_EXECUTORS: dict[tuple, ProcessPoolExecutor] = {}
_WORKER_STORE: CrawlStore | None = None


def _worker_init(settings: dict) -> None:
    global _WORKER_STORE
    logging.basicConfig(level=logging.WARNING)
    _WORKER_STORE = store_from_settings(Settings(settings))


def _worker_ingest(item: ArticleData) -> IngestResult:
    return _WORKER_STORE.ingest(item)


def _executor(settings: Settings) -> ProcessPoolExecutor:
    """One ingest worker per process and database, shared by every source's crawler."""
    plain = {k: settings.get(k) for k in ("NEWSRADAR_DATABASE_URL", "NEWSRADAR_MATCHER", "NEWSRADAR_CONFIG")}
    key = tuple(plain.values())
    if key not in _EXECUTORS:
        _EXECUTORS[key] = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(plain,),
        )
    return _EXECUTORS[key]


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.in_process = not crawler.settings.getbool("NEWSRADAR_INGEST_WORKER", True)
        self.store = store_from_settings(crawler.settings) if self.in_process else None
        self.executor = None if self.in_process else _executor(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    async def process_item(self, item: ArticleData, spider=None) -> ArticleData:
        try:
            if self.in_process:
                result = self.store.ingest(item)
            else:
                result = await asyncio.wrap_future(self.executor.submit(_worker_ingest, item))
        except BrokenProcessPool as exc:
            self._failed(item, f"ingest worker died: {exc}")
        except Exception as exc:  # one bad article must not stop the crawl
            self._failed(item, f"{type(exc).__name__}: {exc}")
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
    """Let the workers finish what they hold; called when the crawl is over."""
    for executor in _EXECUTORS.values():
        executor.shutdown(wait=True)
    _EXECUTORS.clear()
