"""Storage: the schema, the database and the queries every feature shares (knows no channel or site)."""

from .db import Database, DatabaseError
from .models import (
    Article,
    ArticleRevision,
    Base,
    Channel,
    CrawlRun,
    CrawlState,
    Delivery,
    Fingerprint,
    FingerprintCount,
    PolicyDocument,
    Story,
    StoryTopic,
    Subscriber,
    Subscription,
    TopicMatch,
    Watch,
    WatchMatch,
)
from .retries import ArticleRetry
from .source_totals import SourceTotal
from .state import DaemonLease, Setting
from .tiers import DEFAULT_TIER, TIERS
from .topic_counts import TopicDay, TopicSource
from .types import BEIJING, to_beijing, utcnow

__all__ = [
    "BEIJING",
    "DEFAULT_TIER",
    "TIERS",
    "Article",
    "ArticleRetry",
    "ArticleRevision",
    "Base",
    "Channel",
    "CrawlRun",
    "CrawlState",
    "DaemonLease",
    "Database",
    "DatabaseError",
    "Delivery",
    "Fingerprint",
    "FingerprintCount",
    "PolicyDocument",
    "Setting",
    "SourceTotal",
    "Story",
    "StoryTopic",
    "Subscriber",
    "Subscription",
    "TopicDay",
    "TopicMatch",
    "TopicSource",
    "Watch",
    "WatchMatch",
    "to_beijing",
    "utcnow",
]
