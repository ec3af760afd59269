"""Item pipeline: every extracted article goes through the processor's ingest (processor.ingest).

Ingest (classify, find the story, write) costs as much CPU as fetching and parsing a page, so by
default it runs in one worker process beside the crawl (crawler/worker.py): the reactor keeps
downloading while the second core stores. The worker stores what has queued up (waiting up to
50 ms for 16) in one transaction (falling back to one each if any fails); in-process, each
article is its own.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from processor.items import ArticleData

from .adapters import ListItem
from .resources import CrawlResources

__all__ = ["StoragePipeline"]

log = logging.getLogger(__name__)


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.in_process = not crawler.settings.getbool("NEWSRADAR_INGEST_WORKER", True)
        shared = CrawlResources.of(crawler)
        self.store = shared.store() if self.in_process else None
        self.worker = None if self.in_process else shared.worker()

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
            spider.mark_failed(
                item.url, ListItem(item.url, item.title, item.list_stamp), f"storage failed: {reason}"
            )
        raise DropItem(f"storage failed: {reason}")
