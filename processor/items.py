"""The crawler's item: what an adapter extracted from one page, and what the processor takes in;
and the ingest's answer (IngestResult), which the ingest worker sends back to the crawl.

Plain data (the standard library and the tier constant of common), so crawler adapters, the ingest
worker and the processor share it without pulling each other in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from common import DEFAULT_TIER

__all__ = ["ArticleData", "IngestResult"]


@dataclass
class ArticleData:
    """What an adapter extracted from one page; the crawler's item and the ingest's input."""

    source: str
    url: str
    title: str
    body_text: str
    canonical_url: str | None = None
    published_at: datetime | None = None
    origin: str | None = None
    author: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    body_html: str = ""
    language: str = "zh"
    extraction: str = "selectors"
    list_stamp: str | None = None
    tier: int = DEFAULT_TIER
    policy: dict[str, Any] | None = None


@dataclass
class IngestResult:
    """What storing one article did: the ingest worker's answer to the crawl, so it lives here,
    where unpickling it in the crawl process imports nothing of the ingest side."""

    status: str  # new | updated | unchanged
    article_id: int
    story_id: int | None
    new_topics: list[str]
