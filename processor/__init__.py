"""Processor: the processing layer between the crawl and the delivery queue.

classify (a Matcher from classifier.matcher_from_topics) -> group into stories -> decide who
gets what (instant fan-out, daily digests). It decides; storage only stores and queries.
"""

from .digests import DigestPlan, DigestQueue, plan_digests, queue_digests
from .fanout import backfill, queue_alerts
from .ingest import Ingestor, IngestResult, Matcher
from .items import ArticleData

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
