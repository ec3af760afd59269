"""What one alert says, independent of the channel: built from outbox rows and the story they name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, Channel, Delivery, Story, StoryTopic, Subscriber, TopicMatch

__all__ = ["Alert", "ChannelBatch", "Digest", "load_batches", "story_summary", "topic_labels"]


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


def topic_labels(topics: Sequence[Any]) -> dict[str, str]:
    """id -> human label of classifier topics (falls back to the id)."""
    out = {}
    for t in topics:
        tid = getattr(t, "id", None) or str(t)
        label = getattr(t, "name", None) or getattr(t, "label", None) or tid
        out[tid] = label if label == tid else f"{label}"
    return out


def _source_name(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("source") or value.get("name") or value.get("id") or "")
    return str(value)


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _own_summary(session: Session, story_id: int) -> dict[str, Any] | None:
    """Minimal stand-in for storage.stories.story_summary while that module lands."""
    story = session.get(Story, story_id)
    if story is None:
        return None
    arts = list(
        session.scalars(
            select(Article).where(Article.story_id == story_id).order_by(Article.published_at, Article.id)
        )
    )
    if not arts:
        return None
    lead = next((a for a in arts if a.id == story.lead_article_id), None) or min(
        arts, key=lambda a: (a.tier, a.id)
    )

    def art(a: Article) -> dict[str, Any]:
        return dict(id=a.id, title=a.title, url=a.url, source=a.source, origin=a.origin,
                    published_at=a.published_at, tier=a.tier)  # fmt: skip

    topics = list(session.scalars(select(StoryTopic.topic_id).where(StoryTopic.story_id == story_id)))
    dates = [a.published_at for a in arts if a.published_at]
    return dict(
        id=story_id, lead=art(lead), articles=[art(a) for a in arts],
        sources=list(dict.fromkeys(a.source for a in arts)), topics=topics,
        first_published_at=min(dates) if dates else None,
    )  # fmt: skip


def story_summary(session: Session, story_id: int) -> dict[str, Any] | None:
    """storage.stories.story_summary when it exists, else our own small query."""
    try:
        from storage.stories import story_summary as shared
    except ImportError:
        return _own_summary(session, story_id)
    try:
        return shared(session, story_id)
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
    spans = []
    for s in best.spans or []:
        try:
            a, b = int(s[0]), int(s[1])
        except (TypeError, ValueError, IndexError):
            continue
        if 0 <= a < b <= len(best.evidence):
            spans.append((a, b))
    return best.evidence, sorted(spans)


def load_batches(
    session: Session, delivery_ids: Sequence[int], labels: Mapping[str, str] | None = None
) -> list[ChannelBatch]:
    """Group claimed rows by channel and turn each into an Alert (one per story)."""
    labels = labels or {}
    rows = session.execute(
        select(Delivery, Channel, Subscriber)
        .join(Channel, Channel.id == Delivery.channel_id)
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.id.in_(list(delivery_ids)))
        .order_by(Delivery.channel_id, Delivery.id)
    ).all()
    batches: dict[int, ChannelBatch] = {}
    summaries: dict[int, dict[str, Any] | None] = {}
    evidences: dict[tuple[int, tuple[str, ...]], tuple[str, list]] = {}

    def alert(ids: list[int], story_id: int, topics: list[str]) -> Alert:
        if story_id not in summaries:
            summaries[story_id] = story_summary(session, story_id)
        summary = summaries[story_id]
        if summary is None:  # story vanished: render what we can, the row is still settled
            return Alert(ids, story_id, f"story {story_id}", "", [], None, topics, [])
        lead = summary["lead"] or {}
        key = (story_id, tuple(topics))
        if key not in evidences:
            evidences[key] = _evidence(session, story_id, lead.get("id"), topics)
        evidence, spans = evidences[key]
        sources = list(summary.get("sources") or []) or list(
            dict.fromkeys(a["source"] for a in summary.get("articles", []))
        )
        return Alert(
            delivery_ids=ids,
            story_id=story_id,
            title=lead.get("title") or "",
            url=lead.get("url") or "",
            sources=[_source_name(s) for s in sources],
            published_at=_as_datetime(summary.get("first_published_at") or lead.get("published_at")),
            topics=topics,
            topic_labels=[labels.get(t, t) for t in topics],
            evidence=evidence,
            spans=spans,
            articles=len(summary.get("articles") or []) or 1,
        )  # fmt: skip

    for d, ch, sub in rows:
        batch = batches.get(ch.id)
        if batch is None:
            batch = batches[ch.id] = ChannelBatch(
                ch.id, ch.kind, ch.address, ch.active, sub.id, sub.name or "", sub.paused, []
            )
        if d.kind == "digest":
            queued = list(d.digest_items or [])
            start = min(max(0, d.digest_progress or 0), len(queued))
            items = [alert([], int(sid), [str(t) for t in topics]) for sid, topics in queued[start:]]
            batch.digests.append(Digest(d.id, d.digest_day, len(queued), start, items))
            continue
        batch.alerts.append(alert([d.id], d.story_id, list(d.topics or [])))
    return list(batches.values())
