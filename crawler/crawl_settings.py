"""The [crawl] options (one owner of their defaults) and the Scrapy settings built from them, as plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ADD_DEADLINE", "CrawlSettings", "parse_size", "scrapy_settings", "show_size"]

ADD_DEADLINE = 60  # seconds `sources add` may take in all (discovery and its trial crawl), by default

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


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
    max_page_size: int = 10_000_000  # bytes; a larger answer is dropped unread and reported as skipped
    # crawler nodes (`newsradar node`, Scrapyd) the rounds go to; empty: a local child process
    nodes: tuple[str, ...] = ()

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
        # Scrapy's own cap is 1 GiB, held in memory: one such page took a crawl past 4 GB.
        "DOWNLOAD_MAXSIZE": c.max_page_size,
        "DOWNLOAD_WARNSIZE": c.max_page_size // 2,
        "NEWSRADAR_MAX_PAGE_SIZE": c.max_page_size,
        # Hosts that are no source's own may not resolve to private addresses (crawler.addresses);
        # run_crawl and probe_source fill in NEWSRADAR_OWN_HOSTS.
        "TWISTED_DNS_RESOLVER": "crawler.resolver.GuardedResolver",
        "RETRY_ENABLED": c.retries > 0,
        "RETRY_TIMES": c.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "NEWSRADAR_RETRY_BACKOFF": c.retry_backoff,
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        # Scrapy reads and parses a generator callback's source to warn of a `return value` in
        # it, again whenever its weak cache lost the bound method: ~0.3 ms a page, for a warning
        # meant for a spider's author (NewsSpider's callbacks return nothing).
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "DOWNLOADER_MIDDLEWARES": {
            # before robots.txt (100), so a refused host's robots.txt is not fetched either
            "crawler.middlewares.AddressGuard": 60,
            "crawler.middlewares.BackoffMiddleware": 560,
        },
        "ITEM_PIPELINES": {"crawler.pipeline.StoragePipeline": 300},
        "NEWSRADAR_DATABASE_URL": database_url,
        "NEWSRADAR_TOPICS": topics,
        "NEWSRADAR_INGEST_WORKER": c.ingest_worker,
    }


def parse_size(value: int | str) -> int:
    """A size in bytes: a whole number of bytes, or text such as "10MB", "512 KiB" (kB = 1000 bytes,
    KiB = 1024). Raises ValueError with a message that says what is accepted."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f'must be a size such as "10MB" or a whole number of bytes, not {value!r}')
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", value)
    unit = m.group(2).lower() if m else ""
    if not m or unit not in _UNITS:
        raise ValueError(
            f'{value!r} is not a size: write a number with B, kB, MB, GB (or KiB, MiB, GiB), e.g. "10MB"'
        )
    return int(float(m.group(1)) * _UNITS[unit])


def show_size(size: int) -> str:
    """A byte count as people read it: 10 MB, 512 kB, 900 B."""
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} B"
