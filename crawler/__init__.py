"""Crawler: Scrapy spiders and site adapters that turn list pages and feeds into articles."""

from typing import TYPE_CHECKING

__all__ = [
    "SourceReport",
    "crawl_sources",
    "probe_source",
    "progress_stream",
    "run_crawl",
    "scrapy_settings",
]

if TYPE_CHECKING:
    from .run import SourceReport, crawl_sources, probe_source, progress_stream, run_crawl
    from .settings import scrapy_settings


def __getattr__(name: str):  # noqa: ANN202
    """Loaded on first use, so the ingest worker (crawler.worker) starts without Scrapy's engine."""
    if name == "scrapy_settings":
        from .settings import scrapy_settings

        return scrapy_settings
    if name in __all__:
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module 'crawler' has no attribute {name!r}")
