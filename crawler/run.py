"""Run one crawl of several sources in this process and report per-source figures."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from scrapy.crawler import Crawler, CrawlerProcess
from twisted.internet import task

from .pipeline import shutdown_workers, start_worker
from .spider import NewsSpider

__all__ = ["SourceReport", "run_crawl"]


@dataclass
class SourceReport:
    """What one source's crawl did: the figures `newsradar crawl` prints."""

    name: str
    requests: int = 0
    list_items: int = 0
    unchanged_lists: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0
    fallback: int = 0
    finish_reason: str = ""
    error_list: list[str] = field(default_factory=list)

    @classmethod
    def from_stats(cls, name: str, stats: dict[str, Any]) -> SourceReport:
        return cls(
            name=name,
            requests=stats.get("downloader/request_count", 0),
            list_items=stats.get("newsradar/list_items", 0),
            unchanged_lists=stats.get("newsradar/list_unchanged", 0),
            new=stats.get("newsradar/new", 0),
            updated=stats.get("newsradar/updated", 0),
            skipped=stats.get("newsradar/skipped", 0) + stats.get("newsradar/unchanged", 0),
            errors=stats.get("newsradar/errors", 0),
            fallback=stats.get("newsradar/fallback", 0),
            finish_reason=str(stats.get("finish_reason", "")),
            error_list=list(stats.get("newsradar/error_list", [])),
        )


def run_crawl(
    sources: list[dict[str, Any]], settings: dict[str, Any], progress: TextIO | None = None
) -> list[SourceReport]:
    """Crawl the sources concurrently; returns when all are done. Call once per process
    (Twisted's reactor cannot restart; the daemon runs each crawl in a subprocess)."""
    if settings.get("NEWSRADAR_INGEST_WORKER", True) and settings.get("NEWSRADAR_DATABASE_URL"):
        start_worker(settings)  # its imports and classifier load overlap Scrapy's start-up
    process = CrawlerProcess(settings)
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        crawlers.append((source["name"], crawler))
        process.crawl(crawler, source=source)
    ticker = None
    if progress is not None:
        ticker = task.LoopingCall(_show_progress, crawlers, progress)
        ticker.start(0.5, now=False)
    try:
        process.start()
    finally:
        shutdown_workers()  # after the engine stops every stored article has been answered
    if ticker is not None and ticker.running:
        ticker.stop()
    if progress is not None:
        progress.write("\r\033[K")
        progress.flush()
    return [SourceReport.from_stats(name, crawler.stats.get_stats()) for name, crawler in crawlers]


def probe_source(
    source: dict[str, Any], settings: dict[str, Any], articles: int = 5
) -> tuple[list, SourceReport]:
    """Fetch a source's first list page and a few articles now, storing nothing."""
    settings = {**settings, "ITEM_PIPELINES": {}, "NEWSRADAR_DATABASE_URL": None}
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, source=source, probe=articles)
    process.start()
    return crawler.spider.probed, SourceReport.from_stats(source["name"], crawler.stats.get_stats())


def _show_progress(crawlers: list[tuple[str, Crawler]], out: TextIO) -> None:
    done = fetched = new = errors = 0
    for _, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        fetched += stats.get("downloader/response_count", 0)
        new += stats.get("newsradar/new", 0)
        errors += stats.get("newsradar/errors", 0)
        done += "finish_reason" in stats
    out.write(
        f"\r\033[Kcrawling {len(crawlers) - done}/{len(crawlers)} sources: {fetched} pages, {new} new, {errors} errors"
    )
    out.flush()


def progress_stream() -> TextIO | None:
    """stderr when a person is watching, else nothing (logs and CI stay clean)."""
    return sys.stderr if sys.stderr.isatty() else None
