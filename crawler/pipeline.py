"""Item pipeline: every extracted article goes through storage's ingest transaction."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from storage.ingest import ArticleData

from .store import store_from_settings

__all__ = ["StoragePipeline"]

log = logging.getLogger(__name__)


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store_from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def process_item(self, item: ArticleData, spider=None) -> ArticleData:
        try:
            result = self.store.ingest(item)
        except Exception as exc:  # one bad article must not stop the crawl
            log.exception("could not store %s: %s", item.url, exc)
            self.stats.inc_value("newsradar/errors")
            spider = spider or self.crawler.spider
            if spider is not None:
                spider.mark_failed(item.url)
            raise DropItem(f"storage failed: {exc}") from exc
        self.stats.inc_value(f"newsradar/{result.status}")
        if result.new_topics:
            self.stats.inc_value("newsradar/alerting_stories")
        return item
