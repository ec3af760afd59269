"""The [crawl] options (one owner of their defaults) and the Scrapy settings built from them, as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CrawlSettings", "scrapy_settings"]


@dataclass(frozen=True)
class CrawlSettings:
    """The [crawl] options and their defaults (config.py validates the section against these)."""

    user_agent: str = "newsradar/0.1 (+https://github.com/newsradar/newsradar; news monitor)"
    concurrency_per_domain: int = 4
    delay: float = 0.25
    obey_robots: bool = True
    timeout: float = 30.0
    retries: int = 3
    retry_backoff: float = 1.0  # seconds before the first retry, doubling after
    ingest_worker: bool = True  # store articles in a second process, beside the crawl
    max_duration: float = 0.0  # seconds a daemon's crawl round may run before it is ended; 0: derived

    def time_limit(self, every: int) -> float:
        """max_duration, or twice the shortest interval crawled, at least ten minutes."""
        return self.max_duration or max(600.0, 2.0 * every)


def scrapy_settings(
    crawl: CrawlSettings | None = None,
    *,
    database_url: str | None,
    topics: list[dict[str, Any]] | None = None,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Polite defaults: robots.txt, per-domain concurrency and delay, retries with backoff.

    `topics` are the topics in force as plain data (classifier.plain_topics): what stored
    articles are classified against, in this process or the ingest worker; None classifies nothing.
    """
    c = crawl or CrawlSettings()
    return {
        "BOT_NAME": "newsradar",
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": c.obey_robots,
        "CONCURRENT_REQUESTS": 32,
        # A page yields one article (or a few dozen links): Scrapy's default of 100 parallel
        # item workers per response only costs event-loop tasks here.
        "CONCURRENT_ITEMS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_domain,
        "DOWNLOAD_DELAY": c.delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if c.delay > 0 else 0,  # ±50%, so requests do not beat in lockstep
        "LOG_INSTALL_ROOT_HANDLER": False,  # the newsradar command configures logging
        "DOWNLOAD_TIMEOUT": c.timeout,
        "RETRY_ENABLED": c.retries > 0,
        "RETRY_TIMES": c.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "NEWSRADAR_RETRY_BACKOFF": c.retry_backoff,
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.BackoffMiddleware": 560},
        "ITEM_PIPELINES": {"crawler.pipeline.StoragePipeline": 300},
        "NEWSRADAR_DATABASE_URL": database_url,
        "NEWSRADAR_TOPICS": topics,
        "NEWSRADAR_INGEST_WORKER": c.ingest_worker,
    }
