"""Run one crawl of several sources in this process and report per-source figures."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import sys
import threading
import time
from typing import Any, TextIO

from scrapy.crawler import Crawler, CrawlerProcess
from twisted.internet import task

from common import plural

from .addresses import hosts_of
from .report import SourceReport
from .resources import CrawlResources
from .spider import NewsSpider
from .worker import IngestWorker

__all__ = ["crawl_sources", "probe_source", "progress_stream", "run_crawl"]


def run_crawl(
    sources: list[dict[str, Any]],
    settings: dict[str, Any],
    progress: TextIO | None = None,
    worker: IngestWorker | None = None,
) -> list[SourceReport]:
    """Crawl the sources concurrently; returns when all are done. Call once per process
    (Twisted's reactor cannot restart; the daemon runs each crawl in a subprocess). The store
    and ingest worker the crawlers share belong to this call and are closed when it returns;
    `worker` is one the caller started earlier (crawler.worker.start_worker), else one starts here."""
    _stop_before_crawling()  # until Scrapy's own handlers take over
    settings = {**settings, "NEWSRADAR_OWN_HOSTS": hosts_of(sources)}  # for resolver.GuardedResolver
    shared = CrawlResources(settings, worker)
    if worker is None and settings.get("NEWSRADAR_INGEST_WORKER", True):
        if settings.get("NEWSRADAR_DATABASE_URL"):
            shared.worker()  # its imports and classifier load overlap Scrapy's start-up
    process = CrawlerProcess(settings)
    crawlers = []
    for source in sources:
        crawler = process.create_crawler(NewsSpider)
        shared.attach(crawler)
        crawlers.append((source["name"], crawler))
        process.crawl(crawler, source=source)
    ticker = None
    if progress is not None:
        ticker = task.LoopingCall(_show_progress, crawlers, progress)
        ticker.start(0.5, now=False)
    try:
        process.start()
    finally:
        shared.close()  # after the engine stops every stored article has been answered
    if ticker is not None and ticker.running:
        ticker.stop()
    if progress is not None:
        progress.write("\r\033[K")
        progress.flush()
    return [SourceReport.from_stats(name, crawler.stats.get_stats()) for name, crawler in crawlers]


def _stop_before_crawling() -> None:
    """Until Scrapy installs its graceful-stop handlers (once its reactor has started), SIGINT or
    SIGTERM ends the process at once: nothing was fetched or recorded yet. Without this, a SIGINT
    in that window raised KeyboardInterrupt with Twisted's thread pool already running and the
    process hung at exit waiting for those threads until SIGKILL (a node job cancelled in its
    first second: cancel.json's INT and TERM did nothing)."""

    def stop(signum: int, _frame: object) -> None:
        sys.stderr.write(
            f"crawl stopped by {signal.Signals(signum).name} before it began: nothing recorded\n"
        )
        sys.stderr.flush()
        os._exit(128 + signum)  # the ingest worker reads end-of-file and ends too

    if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, stop)


def _quiet_scrapy_failures(record: logging.LogRecord) -> bool:
    return not record.name.startswith(
        ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")
    )


def crawl_sources(
    sources: list[dict[str, Any]],
    settings: dict[str, Any],
    *,
    verbose: int = 0,
    progress: TextIO | None = None,
    node: str | None = None,
    job: str | None = None,
    worker: IngestWorker | None = None,
) -> list[SourceReport]:
    """One crawl of these sources (plain data) with these settings (scrapy_settings), then each
    source's health recorded in the database; returns the per-source reports.

    The one call behind `newsradar crawl`, and what the daemon's crawl job runs (in a fresh
    process each time: the reactor cannot restart). Without verbose, Scrapy's own retry and
    robots.txt tracebacks are filtered out: the spider logs each failure once, with URL and reason.
    On a crawler node, `node` and `job` (Scrapyd's job id) mark the runs recorded. `worker`: an
    ingest worker started before (crawler.worker.start_worker), closed by this call.
    """
    from storage import Database
    from storage.health import record_run

    if not verbose:
        # A handler filter, because Scrapy resets its loggers' levels when a crawl starts.
        for handler in logging.getLogger().handlers:
            handler.addFilter(_quiet_scrapy_failures)
    reports = run_crawl(sources, settings, progress=progress, worker=worker)
    db = Database(settings["NEWSRADAR_DATABASE_URL"])
    try:
        with db.session() as s:
            for r in reports:
                if r.finish_reason == "shutdown":  # stopped half-way: its figures say nothing of the site
                    continue
                first_error = r.error_list[0] if r.error_list else None
                record_run(s, r.name, dataclasses.asdict(r), first_error, node=node, job=job)
            s.commit()
    finally:
        db.dispose()
    return reports


def probe_source(
    source: dict[str, Any], settings: dict[str, Any], articles: int = 5, deadline: float | None = None
) -> tuple[list, SourceReport]:
    """Fetch a source's first list page and a few articles now, storing nothing; with a deadline
    (seconds), no request is made or kept waiting past it (the report's `deadline` counts them)."""
    settings = {
        **settings, "ITEM_PIPELINES": {}, "NEWSRADAR_DATABASE_URL": None,
        "NEWSRADAR_OWN_HOSTS": hosts_of([source]),
        "NEWSRADAR_DEADLINE": time.time() + max(deadline, 0.01) if deadline is not None else 0.0,
    }  # fmt: skip
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
        f"\r\033[Kcrawling {len(crawlers) - done}/{len(crawlers)} sources: {plural(fetched, 'page')}, {new} new, "
        f"{plural(errors, 'error')}"
    )
    out.flush()


def progress_stream() -> TextIO | None:
    """stderr when a person is watching, else nothing (logs and CI stay clean)."""
    return sys.stderr if sys.stderr.isatty() else None
