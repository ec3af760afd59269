"""The database schema: articles, stories, topic matches, subscribers and the delivery outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .tiers import DEFAULT_TIER
from .types import UTCDateTime, utcnow

__all__ = [
    "Article",
    "ArticleRevision",
    "Base",
    "Channel",
    "CrawlRun",
    "CrawlState",
    "Delivery",
    "Fingerprint",
    "FingerprintCount",
    "PolicyDocument",
    "Story",
    "StoryTopic",
    "Subscriber",
    "Subscription",
    "TopicMatch",
    "Watch",
    "WatchMatch",
]


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Article(Base):
    """One post at one URL; republished copies are separate articles joined by a story."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    origin: Mapped[str | None] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="zh")
    extraction: Mapped[str] = mapped_column(String(20), default="selectors")
    # 0 official (government), 1 finance portal, 2 aggregator, 3 other: ranks a story's lead.
    tier: Mapped[int] = mapped_column(Integer, default=DEFAULT_TIER)
    list_stamp: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column()
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id"), index=True)

    story: Mapped[Story | None] = relationship(back_populates="articles", foreign_keys=[story_id])
    policy: Mapped[PolicyDocument | None] = relationship(
        back_populates="article", cascade="all, delete-orphan"
    )
    matches: Mapped[list[TopicMatch]] = relationship(back_populates="article", cascade="all, delete-orphan")

    # Per-source reads of status and the health verdict (count and newest fetch; publication times
    # since a day) answered from these indexes alone: on SQLite fetched_at sits after the body, so
    # without them every article's overflow pages were read (issue 20, bench/archive).
    __table_args__ = (
        Index("ix_articles_source_fetched", "source", "fetched_at"),
        Index("ix_articles_source_published", "source", "published_at"),
    )


class PolicyDocument(Base):
    """The 发文字号/发文机构/dates block of a government policy page."""

    __tablename__ = "policy_documents"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    doc_number: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    written_date: Mapped[date | None] = mapped_column(Date)
    published_date: Mapped[date | None] = mapped_column(Date)
    effective_date: Mapped[date | None] = mapped_column(Date)
    validity: Mapped[str | None] = mapped_column(String(50))
    attachments: Mapped[list[Any]] = mapped_column(default=list)

    article: Mapped[Article] = relationship(back_populates="policy")


class ArticleRevision(Base):
    """The previous text of an article whose page changed, so edits can be audited."""

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlState(Base):
    """Validators of list pages and feeds, for conditional requests on the next crawl."""

    __tablename__ = "crawl_state"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlRun(Base):
    """One source's figures from one crawl, so a source that stops yielding is noticed."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    list_items: Mapped[int] = mapped_column(Integer, default=0)  # links read from list pages and feeds
    unchanged_lists: Mapped[int] = mapped_column(Integer, default=0)  # 304 Not Modified answers
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    fallback: Mapped[int] = mapped_column(Integer, default=0)
    # pages answered with an anti-bot challenge instead of content (nothing stored from them)
    blocked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # requests refused: private addresses of hosts not the source's own (crawler.addresses)
    refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # pages larger than [crawl] max_page_size, dropped unread
    oversized: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_error: Mapped[str | None] = mapped_column(Text)
    # the crawler node (`newsradar node`) and its Scrapyd job that ran it; NULL for a local crawl
    node: Mapped[str | None] = mapped_column(String(200))
    job: Mapped[str | None] = mapped_column(String(64), index=True)

    __table_args__ = (Index("ix_crawl_runs_source_finished", "source", "finished_at"),)


class Story(Base):
    """One news event; every republished copy of it is an article of this story."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", use_alter=True, name="fk_stories_lead_article"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the story is listed by: coalesce(lead article's published_at, created_at), kept here
    # (storage.stories sets it with the lead) so the home page's ORDER BY ... LIMIT reads an index
    # instead of sorting every story. None only for rows written outside storage.stories (no
    # Python default: an INSERT built from this model must still run on a schema before 0020).
    sort_at: Mapped[datetime | None] = mapped_column()

    articles: Mapped[list[Article]] = relationship(back_populates="story", foreign_keys=[Article.story_id])
    lead: Mapped[Article | None] = relationship(foreign_keys=[lead_article_id], post_update=True)
    topics: Mapped[list[StoryTopic]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (Index("ix_stories_sort_at", "sort_at", "id"),)


class StoryTopic(Base):
    """The union of a story's topic matches, kept so a newly added topic can be noticed."""

    __tablename__ = "story_topics"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The story's sort_at, kept with it by storage.stories: a topic's newest stories are an index read.
    sort_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_story_topics_topic_sort", "topic_id", "sort_at", "story_id"),)


class Fingerprint(Base):
    """One winnowing fingerprint of one article: articles sharing fingerprints are candidate copies."""

    __tablename__ = "fingerprints"

    # Primary key (hash, article_id) without a rowid table on SQLite: a lookup by hash is one
    # range scan of one B-tree that already holds the article ids (~14 bytes a row). No foreign
    # key: a cascade would need an index by article, which would double the table's size.
    hash: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class FingerprintCount(Base):
    """How many fingerprints an article has (containment's denominator); marks it as indexed."""

    __tablename__ = "fingerprint_counts"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    prints: Mapped[int] = mapped_column(Integer)


class TopicMatch(Base):
    """Why an article matched a topic: score, terms and the evidence sentence."""

    __tablename__ = "topic_matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[str] = mapped_column(String(100), index=True)
    score: Mapped[float] = mapped_column(Float)
    terms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evidence: Mapped[str] = mapped_column(Text, default="")
    spans: Mapped[list[Any]] = mapped_column(default=list)
    topic_hash: Mapped[str] = mapped_column(String(64))
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="matches")

    __table_args__ = (UniqueConstraint("article_id", "topic_id", name="uq_topic_matches_article_topic"),)


class Subscriber(Base):
    """A person or team that follows topics."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    mode: Mapped[str] = mapped_column(String(10), default="both")  # instant | digest | both
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name for digests; None: [digest]
    digest_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM" local; None: [digest] time

    channels: Mapped[list[Channel]] = relationship(back_populates="subscriber", cascade="all, delete-orphan")
    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan"
    )


class Channel(Base):
    """Where a subscriber's alerts go: kind is a plain name (telegram, email, apprise, console)."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(2000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subscriber: Mapped[Subscriber] = relationship(back_populates="channels")

    __table_args__ = (UniqueConstraint("kind", "address", name="uq_channels_kind_address"),)


class Subscription(Base):
    """A subscriber follows one topic, optionally narrowed to sources or extra keywords."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[str] = mapped_column(String(100), index=True)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    keywords: Mapped[list[Any]] = mapped_column(default=list)

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")

    __table_args__ = (
        UniqueConstraint("subscriber_id", "topic_id", name="uq_subscriptions_subscriber_topic"),
    )


class Delivery(Base):
    """Outbox row: one alert of one story to one channel, written with the match, sent later.

    kind "digest": one channel's daily digest of `digest_day` (Beijing time) instead, with no
    story_id; `digest_items` fixes its stories when queued, `digest_progress` counts those
    already delivered by earlier parts of a digest split over several messages.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="alert", server_default="alert")  # alert | digest
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), index=True, nullable=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(
        String(10), default="pending"
    )  # pending|sending|sent|dead|skipped (see storage.deliveries)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    digest_day: Mapped[date | None] = mapped_column(Date)
    digest_items: Mapped[list[Any] | None] = mapped_column(nullable=True)  # [[story id, [topic ids]], ...]
    digest_progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    watches: Mapped[list[Any] | None] = mapped_column(nullable=True)  # ids of the watches it matched

    subscriber: Mapped[Subscriber] = relationship()
    channel: Mapped[Channel] = relationship()
    story: Mapped[Story | None] = relationship()

    __table_args__ = (
        UniqueConstraint(
            "subscriber_id", "story_id", "channel_id", name="uq_deliveries_subscriber_story_channel"
        ),
        # One digest per channel and day (alert rows have no day: NULLs never collide).
        UniqueConstraint(
            "subscriber_id", "channel_id", "digest_day", name="uq_deliveries_subscriber_channel_day"
        ),
        # The dispatcher's claim: due rows by status and time, grouped by channel.
        Index("ix_deliveries_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_deliveries_channel_status", "channel_id", "status"),
    )


class Watch(Base):
    """A subscriber follows a search query (the archive's syntax), optionally narrowed to topics / sources."""

    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    query: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # changed on every edit: the ingest's watch index reloads when the newest value moves
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WatchMatch(Base):
    """A story matched a watch (first seen at matched_at): the 30-day counts and digest groups."""

    __tablename__ = "watch_matches"

    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    matched_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
