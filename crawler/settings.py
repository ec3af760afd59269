"""Scrapy settings as plain data, built from newsradar's [crawl] options."""

from __future__ import annotations

from typing import Any

__all__ = ["scrapy_settings"]


def scrapy_settings(
    *,
    database_url: str,
    user_agent: str,
    concurrency_per_domain: int = 4,
    delay: float = 0.25,
    obey_robots: bool = True,
    timeout: float = 30.0,
    retries: int = 3,
    topics: list[dict[str, Any]] | None = None,
    log_level: str = "WARNING",
    retry_backoff: float = 1.0,
    ingest_worker: bool = True,
) -> dict[str, Any]:
    """Polite defaults: robots.txt, per-domain concurrency and delay, retries with backoff.

    `topics` are the topics in force as plain data (classifier.plain_topics): what stored
    articles are classified against, in this process or the ingest worker; None classifies nothing.
    """
    return {
        "BOT_NAME": "newsradar",
        "USER_AGENT": user_agent,
        "ROBOTSTXT_OBEY": obey_robots,
        "CONCURRENT_REQUESTS": 32,
        # A page yields one article (or a few dozen links): Scrapy's default of 100 parallel
        # item workers per response only costs event-loop tasks here.
        "CONCURRENT_ITEMS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency_per_domain,
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if delay > 0 else 0,  # ±50%, so requests do not beat in lockstep
        "LOG_INSTALL_ROOT_HANDLER": False,  # the newsradar command configures logging
        "DOWNLOAD_TIMEOUT": timeout,
        "RETRY_ENABLED": retries > 0,
        "RETRY_TIMES": retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "NEWSRADAR_RETRY_BACKOFF": retry_backoff,
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.BackoffMiddleware": 560},
        "ITEM_PIPELINES": {"crawler.pipeline.StoragePipeline": 300},
        "NEWSRADAR_DATABASE_URL": database_url,
        "NEWSRADAR_TOPICS": topics,
        "NEWSRADAR_INGEST_WORKER": ingest_worker,
    }
