"""Crawler: Scrapy spiders and site adapters that turn list pages and feeds into articles."""

from .run import SourceReport, probe_source, progress_stream, run_crawl
from .settings import scrapy_settings

__all__ = ["SourceReport", "probe_source", "progress_stream", "run_crawl", "scrapy_settings"]
