"""What one alert says, independent of the channel: built from outbox rows and the story they name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import BEIJING
from storage.models import Article, Channel, Delivery, Subscriber, TopicMatch, Watch

__all__ = [
    "Alert",
    "AlertBuilder",
    "ChannelBatch",
    "Digest",
    "digest_trends",
    "load_batches",
    "preview_digest",
]


@dataclass
class Alert:
    """One story for one channel; delivery_ids are the outbox rows this alert settles."""

    delivery_ids: list[int]
    story_id: int
    title: str
    url: str
    sources: list[str]
    published_at: datetime | None
    topics: list[str]  # topic ids that made it an alert for this subscriber
    topic_labels: list[str]
    evidence: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    articles: int = 1
    watch_queries: list[str] = field(default_factory=list)  # queries of the watches it matched


@dataclass
class Digest:
    """One claimed daily digest row: its stories still to send, in display order.

    `start` stories of the queued list went out in earlier parts (digest_progress); each item
    is an Alert without delivery ids whose first topic is the group it is listed under.
    """

    delivery_id: int
    day: date
    total: int
    start: int = 0
    items: list[Alert] = field(default_factory=list)
    trends: list[Any] = field(default_factory=list)  # notifiers.chart.TopicTrend per followed topic
    timezone: str | None = None  # the subscriber's zone, whose calendar day this is (None: Beijing)


@dataclass
class ChannelBatch:
    """Claimed rows of one channel, ready to render and send together."""

    channel_id: int
    kind: str
    address: str
    active: bool
    subscriber_id: int
    subscriber_name: str
    paused: bool
    alerts: list[Alert]
    digests: list[Digest] = field(default_factory=list)

    @property
    def delivery_ids(self) -> list[int]:
        return [i for a in self.alerts for i in a.delivery_ids] + [d.delivery_id for d in self.digests]


def _summary(session: Session, story_id: int) -> dict[str, Any] | None:
    """The story as storage describes it, or None when it was deleted after the row was queued."""
    from storage.story_views import story_summary  # here: it loads numpy, and `status` needs none

    try:
        return story_summary(session, story_id)
    except KeyError:
        return None


def _evidence(
    session: Session, story_id: int, lead_id: int | None, topics: Sequence[str]
) -> tuple[str, list]:
    """The best evidence sentence: the lead article's match first, then the highest score."""
    rows = session.execute(
        select(TopicMatch.article_id, TopicMatch.score, TopicMatch.evidence, TopicMatch.spans)
        .join(Article, Article.id == TopicMatch.article_id)
        .where(Article.story_id == story_id, TopicMatch.topic_id.in_(list(topics)))
    ).all()
    rows = [r for r in rows if r.evidence]
    if not rows:
        return "", []
    best = max(rows, key=lambda r: (r.article_id == lead_id, r.score))
    return best.evidence, sorted((int(a), int(b)) for a, b in best.spans)


WATCH_MARK = "🔍 "  # before a watch's query where topic names are listed


def _watch_evidence(
    session: Session, story_id: int, lead_id: int | None, queries: Sequence[str]
) -> tuple[str, list]:
    """The sentence of the story (lead first, title then body) where the watch queries' words
    occur most, with those words as spans: the evidence of an alert only watches caused."""
    import search  # here: it loads the classifier's normaliser, and `status` needs none

    units: list[str] = []
    for q in queries:
        try:
            units += search.parse_query(q).units
        except search.QueryError:
            continue
    if not units:
        return "", []
    rows = session.execute(
        select(Article.id, Article.title, Article.body_text).where(Article.story_id == story_id)
    ).all()
    for r in sorted(rows, key=lambda r: (r.id != lead_id, r.id)):
        for text in (r.body_text or "", r.title or ""):
            found, spans = search.evidence(text, sorted(set(units), key=len, reverse=True))
            if found:
                return found, spans
    return "", []


def digest_trends(session: Session, sub: Subscriber, day: Any, labels: Mapping[str, str]) -> list[Any]:
    """The subscriber's followed topics' stories per day over the 14 days ending with `day`."""
    from storage.trends import daily_topic_counts, daily_watch_counts

    from .chart import TopicTrend

    topics = [t.topic_id for t in sub.subscriptions]
    watches = list(
        session.execute(
            select(Watch.id, Watch.query)
            .where(Watch.subscriber_id == sub.id, Watch.active.is_(True))
            .order_by(Watch.id)
        )
    )
    try:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(sub.timezone) if sub.timezone else BEIJING
    except (ValueError, KeyError):
        tz = BEIJING
    days = tuple(day - timedelta(days=13 - i) for i in range(14))
    counts = daily_topic_counts(session, topics, day, 14, tz)
    trends = [TopicTrend(t, labels.get(t, t), days, tuple(counts[t])) for t in topics]
    if watches:  # beside the topics, counted the same way (stories first published per day)
        by_watch = daily_watch_counts(session, [w for w, _ in watches], day, 14, tz)
        trends += [
            TopicTrend(f"watch:{w}", f"关注 watch「{q}」", days, tuple(by_watch[w])) for w, q in watches
        ]
    return trends


class AlertBuilder:
    """Stories as Alerts, with their summaries and evidence looked up once per story."""

    def __init__(
        self,
        session: Session,
        labels: Mapping[str, str] | None = None,
        titles: Mapping[str, str] | None = None,
    ) -> None:
        self.session, self.labels, self.titles = session, labels or {}, titles or {}
        self.summaries: dict[int, dict[str, Any] | None] = {}
        self.evidences: dict[tuple[Any, ...], tuple[str, list]] = {}
        self.queries: dict[int, str] = {}

    def _queries(self, watches: Sequence[int]) -> list[str]:
        """The watches' queries (a deleted watch is left out), looked up once each."""
        missing = [w for w in watches if w not in self.queries]
        if missing:
            for wid, q in self.session.execute(select(Watch.id, Watch.query).where(Watch.id.in_(missing))):
                self.queries[wid] = q
        return [self.queries[w] for w in watches if w in self.queries]

    def __call__(
        self, ids: list[int], story_id: int, topics: list[str], watches: Sequence[int] = ()
    ) -> Alert:
        session, summaries, evidences = self.session, self.summaries, self.evidences
        if story_id not in summaries:
            summaries[story_id] = _summary(session, story_id)
        summary = summaries[story_id]
        lead = summary["lead"] if summary else None
        queries = self._queries(watches) if watches else []
        marks = [WATCH_MARK + q for q in queries]
        if lead is None:  # story vanished or emptied: render what we can, the row is still settled
            labels = [self.labels.get(t, t) for t in topics] + marks if marks else []
            return Alert(
                ids, story_id, f"story {story_id}", "", [], None, topics, labels, watch_queries=queries
            )
        key = (story_id, tuple(topics))
        if key not in evidences:
            evidences[key] = _evidence(session, story_id, lead["id"], topics)
        evidence, spans = evidences[key]
        if not evidence and queries:
            wkey = (story_id, "watches", *queries)
            if wkey not in evidences:
                evidences[wkey] = _watch_evidence(session, story_id, lead["id"], queries)
            evidence, spans = evidences[wkey]
        return Alert(
            delivery_ids=ids,
            story_id=story_id,
            title=lead["title"] or "",
            url=lead["url"],
            sources=[self.titles.get(n, n) for n in summary["sources"]],
            published_at=summary["first_published_at"],
            topics=topics,
            topic_labels=[self.labels.get(t, t) for t in topics] + marks,
            evidence=evidence,
            spans=spans,
            articles=len(summary["articles"]),
            watch_queries=queries,
        )


def preview_digest(
    session: Session,
    subscriber_id: int,
    day: date,
    items: Sequence[Sequence[Any]],  # (story id, topic ids[, watch ids])
    labels: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
) -> Digest:
    """The Digest a subscriber would get for `day` (no outbox row: `newsradar digest` previews)."""
    alert = AlertBuilder(session, labels, titles)
    sub = session.get(Subscriber, subscriber_id)
    trends = digest_trends(session, sub, day, labels or {}) if sub is not None else []
    return Digest(0, day, len(items), 0, [_digest_item(alert, item) for item in items], trends)


def _digest_item(alert: AlertBuilder, item: Sequence[Any]) -> Alert:
    """One queued digest item: [story id, [topic ids]] or [story id, [topic ids], [watch ids]]."""
    watches = [int(w) for w in item[2]] if len(item) > 2 else []
    return alert([], int(item[0]), [str(t) for t in item[1]], watches)


def load_batches(
    session: Session,
    delivery_ids: Sequence[int],
    labels: Mapping[str, str] | None = None,
    source_titles: Mapping[str, str] | None = None,
) -> list[ChannelBatch]:
    """Group claimed rows by channel and turn each into an Alert (one per story); sources are
    named by their config `title` where one is set."""
    labels = labels or {}
    rows = session.execute(
        select(Delivery, Channel, Subscriber)
        .join(Channel, Channel.id == Delivery.channel_id)
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.id.in_(list(delivery_ids)))
        .order_by(Delivery.channel_id, Delivery.id)
    ).all()
    batches: dict[int, ChannelBatch] = {}
    alert = AlertBuilder(session, labels, source_titles)

    for d, ch, sub in rows:
        batch = batches.get(ch.id)
        if batch is None:
            batch = batches[ch.id] = ChannelBatch(
                ch.id, ch.kind, ch.address, ch.active, sub.id, sub.name or "", sub.paused, []
            )
        if d.kind == "digest":
            queued = list(d.digest_items or [])
            start = min(max(0, d.digest_progress or 0), len(queued))
            items = [_digest_item(alert, item) for item in queued[start:]]
            trends = digest_trends(session, sub, d.digest_day, labels)
            batch.digests.append(
                Digest(d.id, d.digest_day, len(queued), start, items, trends, timezone=sub.timezone)
            )
            continue
        batch.alerts.append(alert([d.id], d.story_id, list(d.topics or []), list(d.watches or [])))
    return list(batches.values())
