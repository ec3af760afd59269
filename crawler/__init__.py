"""Crawler: Scrapy spiders and site adapters that turn list pages and feeds into articles."""

from typing import TYPE_CHECKING

__all__ = [
    "CrawlSettings",
    "NodeError",
    "SourceReport",
    "cancel",
    "crawl_sources",
    "job_state",
    "node_status",
    "nodes_overview",
    "probe_source",
    "progress_stream",
    "run_crawl",
    "schedule_round",
    "scrapy_settings",
    "unreachable_summary",
]

if TYPE_CHECKING:
    from .crawl_settings import CrawlSettings, scrapy_settings
    from .nodes import NodeError, cancel, job_state, node_status, nodes_overview, schedule_round
    from .report import SourceReport, unreachable_summary
    from .run import crawl_sources, probe_source, progress_stream, run_crawl


def __getattr__(name: str):  # noqa: ANN202
    """Loaded on first use, so the ingest worker (crawler.worker) starts without Scrapy's engine."""
    if name in ("CrawlSettings", "scrapy_settings"):
        from . import crawl_settings as module

        return getattr(module, name)
    if name in ("NodeError", "cancel", "job_state", "node_status", "nodes_overview", "schedule_round"):
        from . import nodes  # the crawler nodes' client: urllib only

        return getattr(nodes, name)
    if name in ("SourceReport", "unreachable_summary"):
        from . import report

        return getattr(report, name)
    if name in __all__:
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module 'crawler' has no attribute {name!r}")
