"""Processor: the processing layer between the crawl and the delivery queue.

classify (a Matcher from classifier.matcher_from_topics) -> group into stories -> decide who
gets what (instant fan-out, daily digests). It decides; storage only stores and queries.
"""

from typing import TYPE_CHECKING

from .items import ArticleData, IngestResult

if TYPE_CHECKING:
    from .digests import DigestPlan, DigestQueue, plan_digests, queue_digests
    from .fanout import backfill, queue_alerts
    from .ingest import Ingestor, Matcher

# Loaded on first use: the crawler's adapters import ArticleData when the config is read (every
# `newsradar` command), and ingest pulls in the search index, stories (numpy) and the classifier.
_LAZY = {
    "DigestPlan": "digests", "DigestQueue": "digests", "plan_digests": "digests", "queue_digests": "digests",
    "backfill": "fanout", "queue_alerts": "fanout",
    "Ingestor": "ingest", "Matcher": "ingest",
}  # fmt: skip

__all__ = [
    "ArticleData",
    "DigestPlan",
    "DigestQueue",
    "IngestResult",
    "Ingestor",
    "Matcher",
    "backfill",
    "plan_digests",
    "queue_alerts",
    "queue_digests",
]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
