"""The archive as an assistant reads it: plain JSON-ready data with links back to the web archive.

Read-only: every method opens a session, queries through ``storage`` and ``search`` (as the web
archive does) and writes nothing. Bad arguments raise :class:`ArchiveError` with a message that
says what to send instead; the MCP layer hands it to the model as the tool's error.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from notifiers.chart import TopicTrend
from processor.health import source_health
from storage import BEIJING, Database, to_beijing, utcnow
from storage.archive import (
    StoryFilter,
    article_with_details,
    evidence_lines,
    evidence_per_topic,
    list_story_page,
    story_matches,
    total_capped,
)
from storage.queries import stored_sources
from storage.story_views import jsonable, story_summary
from storage.trends import daily_topic_counts

__all__ = ["Archive", "ArchiveError"]

MAX_LIMIT = 50
MAX_DAYS = 3660
_TAG = re.compile(r"<[^>]+>")


class ArchiveError(ValueError):
    """An argument the archive cannot answer (unknown topic or story, bad dates, bad query)."""


def _plain(fragment: str) -> str:
    """Highlighted HTML (<mark>) as plain text with 【】 around the hits."""
    text = fragment.replace("<mark>", "【").replace("</mark>", "】")
    return html.unescape(_TAG.sub("", text))


@dataclass
class Archive:
    """One archive: its database, the topics in force (id -> label), the configured sources and
    the web archive's public URL (links in every answer)."""

    db: Database
    topics: Mapping[str, str]
    sources: Sequence[str]
    base_url: str
    health: Any = None  # [health] settings (processor.health.HealthSettings); None: the defaults

    # -- helpers -----------------------------------------------------------------------------

    def _topic(self, topic: str | None) -> str | None:
        if topic and topic not in self.topics:
            raise ArchiveError(f"topic: no topic {topic!r}; known topics: {', '.join(self.topics)}")
        return topic or None

    def _source(self, session: Any, source: str | None) -> str | None:
        if source and source not in self.sources:
            known = sorted(set(self.sources) | set(stored_sources(session)))
            if source not in known:
                raise ArchiveError(f"source: no source {source!r}; known sources: {', '.join(known)}")
        return source or None

    def _link(self, path: str, **query: Any) -> str:
        params = {k: v for k, v in query.items() if v is not None}
        return f"{self.base_url}{path}" + (f"?{urlencode(params)}" if params else "")

    def _topic_ref(self, tid: str) -> dict[str, str]:
        return {"id": tid, "name": self.topics.get(tid, tid), "url": self._link(f"/topics/{tid}")}

    @staticmethod
    def _limit(limit: int) -> int:
        if not 1 <= limit <= MAX_LIMIT:
            raise ArchiveError(f"limit: give 1 to {MAX_LIMIT}, not {limit}")
        return limit

    @staticmethod
    def _bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
        """Beijing days (both included) as [since, until) datetimes."""
        if first and last and first > last:
            raise ArchiveError(f"dates: the first day {first} is after the last day {last}")
        since = datetime.combine(first, time(), BEIJING) if first else None
        until = datetime.combine(last + timedelta(days=1), time(), BEIJING) if last else None
        return since, until

    # -- tools -------------------------------------------------------------------------------

    def search(
        self, q: str, *, topic: str | None = None, source: str | None = None,
        date_from: date | None = None, date_to: date | None = None, limit: int = 10, cursor: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Stories matching ``q`` (one per story, as the web archive's search lists them)."""
        import search

        topic, limit = self._topic(topic), self._limit(limit)
        self._bounds(date_from, date_to)
        with self.db.session() as s:
            source = self._source(s, source)
            try:
                page = search.search_stories(
                    s,
                    q,
                    topic=topic,
                    source=source,
                    since=date_from,
                    until=date_to,
                    limit=limit,
                    cursor=cursor,
                )
            except search.QueryError as exc:
                raise ArchiveError(f"q: {exc}") from None
        items = [
            {
                "story_id": h.story_id,
                "title": h.title,
                "url": self._link(
                    f"/stories/{h.story_id}" if h.story_id is not None else f"/articles/{h.article_id}"
                ),
                "source": h.source,
                "original_url": h.url,
                "published_at": h.published_at,
                "snippet": _plain(h.snippet_html),
                "copies": [
                    {"source": c.source, "title": c.title, "url": c.url, "published_at": c.published_at}
                    for c in h.copies
                ],
            }  # fmt: skip
            for h in page.hits
        ]
        return jsonable({
            "query": q, "total_stories": page.total, "total_exact": page.total_exact, "items": items,
            "next_cursor": page.next_cursor,
            "url": self._link("/search", q=q, topic=topic, source=source, **{
                "from": date_from and date_from.isoformat(), "to": date_to and date_to.isoformat()}),
        })  # fmt: skip

    def get_story(self, story_id: int, *, max_chars: int = 4000) -> dict[str, Any]:
        """One story: every copy, each topic's evidence once, and the lead's text."""
        with self.db.session() as s:
            try:
                story = story_summary(s, story_id)
            except KeyError:
                raise ArchiveError(
                    f"story_id: no story {story_id} (ids come from search or latest)"
                ) from None
            lead_id = (story["lead"] or {}).get("id")
            lead = article_with_details(s, lead_id) if lead_id else None
            per_topic = evidence_per_topic(story_matches(s, story_id), lead_id)
            text = (lead.body_text or "") if lead else ""
        evidence = [
            {**self._topic_ref(tid), "evidence": e["match"].evidence, "terms": list(e["match"].terms or {}),
             "score": e["match"].score, "copies_matched": e["copies"]}
            for tid, e in per_topic.items()
        ]  # fmt: skip
        return jsonable({
            "story_id": story_id, "title": (story["lead"] or {}).get("title"), "url": self._link(f"/stories/{story_id}"),
            "first_published_at": story["first_published_at"], "topics": [self._topic_ref(t) for t in story["topics"]],
            "evidence": evidence,
            "copies": [
                {"source": a["source"], "title": a["title"], "url": a["url"], "archive_url": self._link(f"/articles/{a['id']}"),
                 "published_at": a["published_at"], "lead": a["id"] == lead_id}
                for a in story["articles"]
            ],
            "lead_text": text[:max_chars], "lead_text_truncated": len(text) > max_chars,
        })  # fmt: skip

    def latest(
        self, *, topic: str | None = None, source: str | None = None, date_from: date | None = None,
        date_to: date | None = None, include_unmatched: bool = False, limit: int = 20,
    ) -> dict[str, Any]:  # fmt: skip
        """The newest stories (matched ones unless ``include_unmatched``), newest first."""
        topic, limit = self._topic(topic), self._limit(limit)
        since, until = self._bounds(date_from, date_to)
        with self.db.session() as s:
            source = self._source(s, source)
            f = StoryFilter(
                topic=topic, source=source, since=since, until=until, matched_only=not include_unmatched
            )
            rows, total = list_story_page(s, f, limit=limit)
            lines = evidence_lines(s, [r["id"] for r in rows])
        items = [
            {
                "story_id": r["id"],
                "title": (r["lead"] or {}).get("title"),
                "url": self._link(f"/stories/{r['id']}"),
                "first_published_at": r["first_published_at"],
                "sources": r["sources"],
                "copies": len(r["articles"]),
                "topics": [self._topic_ref(t) for t in r["topics"]],
                "evidence": (lines.get(r["id"]) or {}).get("evidence"),
            }  # fmt: skip
            for r in rows
        ]
        return jsonable(
            {"total": total, "total_exact": not total_capped(total), "items": items,
             "url": self._link("/", topic=topic, source=source)}
        )  # fmt: skip

    def _counts(self, topics: list[str], first: date, last: date) -> dict[str, list[int]]:
        days = (last - first).days + 1
        if not 1 <= days <= MAX_DAYS:
            raise ArchiveError(f"dates: a period is 1 to {MAX_DAYS} days, not {days}")
        with self.db.session() as s:
            return daily_topic_counts(s, topics, last, days, BEIJING)

    def topic_trend(
        self, *, topic: str | None = None, days: int = 14, last_day: date | None = None
    ) -> dict[str, Any]:
        """Stories per Beijing day per topic, the last day against the 7 days before it (the
        digest's "vs 7-day mean")."""
        if not 8 <= days <= 366:
            raise ArchiveError(
                f"days: give 8 to 366 (the 7-day mean needs a week before the last day), not {days}"
            )
        topics = [self._topic(topic)] if topic else list(self.topics)
        last = last_day or to_beijing(utcnow()).date()
        counts = self._counts(topics, last - timedelta(days=days - 1), last)
        span = tuple(last - timedelta(days=days - 1 - i) for i in range(days))
        out = []
        for tid in topics:
            t = TopicTrend(tid, self.topics.get(tid, tid), span, tuple(counts[tid]))
            out.append({
                **self._topic_ref(tid), "last_day": last.isoformat(), "stories_last_day": t.today,
                "mean_7_days_before": round(t.mean7, 2), "direction": t.direction,
                "per_day": [{"day": d.isoformat(), "stories": n} for d, n in zip(span, t.counts, strict=True)],
            })  # fmt: skip
        return {"topics": out}

    def compare_periods(
        self,
        first_from: date,
        first_to: date,
        second_from: date,
        second_to: date,
        *,
        topic: str | None = None,
    ) -> dict[str, Any]:
        """Stories per topic in two periods (Beijing days, both ends included) and the change."""
        self._bounds(first_from, first_to)
        self._bounds(second_from, second_to)
        topics = [self._topic(topic)] if topic else list(self.topics)
        a = self._counts(topics, first_from, first_to)
        b = self._counts(topics, second_from, second_to)
        rows = []
        for tid in topics:
            n1, n2 = sum(a[tid]), sum(b[tid])
            change = None if n1 == 0 else round((n2 - n1) / n1 * 100, 1)
            rows.append(
                {
                    **self._topic_ref(tid),
                    "first": n1,
                    "second": n2,
                    "change": n2 - n1,
                    "change_percent": change,
                }
            )
        periods = {
            "first": {"from": first_from.isoformat(), "to": first_to.isoformat()},
            "second": {"from": second_from.isoformat(), "to": second_to.isoformat()},
        }
        return {"periods": periods, "topics": rows}

    def sources_health(self) -> dict[str, Any]:
        """Every source's crawl health, as the web archive's /sources page shows it."""
        with self.db.session() as s:
            names = sorted(set(self.sources) | set(stored_sources(s)))
            health = source_health(s, names, self.health)
        return jsonable({"sources": health, "url": self._link("/sources")})
