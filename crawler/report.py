"""What one crawl of a source did, in figures: kept free of Scrapy so the daemon reads it cheaply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from common import plural

__all__ = ["UNREACHABLE", "SourceReport", "not_fetched", "unreachable_summary"]

UNREACHABLE = "could not reach any source: no network or DNS?"


@dataclass
class SourceReport:
    """What one source's crawl did: the figures `newsradar crawl` prints."""

    name: str
    requests: int = 0
    responses: int = 0  # answers of any status: 0 with errors means the site was never reached
    list_items: int = 0
    unchanged_lists: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0
    fallback: int = 0
    blocked: int = 0  # pages answered with an anti-bot challenge
    refused: int = 0  # requests to private addresses of hosts not the source's own (crawler.addresses)
    oversized: int = 0  # pages larger than [crawl] max_page_size, dropped unread
    deadline: int = 0  # requests not made because the probe's deadline had passed (sources add)
    finish_reason: str = ""
    error_list: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # each refused or oversized page, with its reason

    @classmethod
    def from_stats(cls, name: str, stats: dict[str, Any]) -> SourceReport:
        return cls(
            name=name,
            requests=stats.get("downloader/request_count", 0),
            responses=stats.get("downloader/response_count", 0),
            list_items=stats.get("newsradar/list_items", 0),
            unchanged_lists=stats.get("newsradar/list_unchanged", 0),
            new=stats.get("newsradar/new", 0),
            updated=stats.get("newsradar/updated", 0),
            skipped=stats.get("newsradar/skipped", 0) + stats.get("newsradar/unchanged", 0),
            errors=stats.get("newsradar/errors", 0),
            fallback=stats.get("newsradar/fallback", 0),
            blocked=stats.get("newsradar/blocked", 0),
            refused=stats.get("newsradar/refused", 0),
            oversized=stats.get("newsradar/oversized", 0),
            deadline=stats.get("newsradar/deadline", 0),
            finish_reason=str(stats.get("finish_reason", "")),
            error_list=list(stats.get("newsradar/error_list", [])),
            notes=list(stats.get("newsradar/notes", [])),
        )


def unreachable_summary(reports: list[SourceReport]) -> str | None:
    """One plain line when no source answered at all (no network, DNS down), else None: what
    `newsradar crawl` prints instead of a table of failures, and what the daemon logs."""
    if not reports or any(r.responses or not r.errors for r in reports):
        return None
    first = next((f"{r.name}: {r.error_list[0]}" for r in reports if r.error_list), "")
    return (
        f"{UNREACHABLE} ({plural(len(reports), 'source')} failed; first: {first})" if first else UNREACHABLE
    )


def not_fetched(refused: int, oversized: int) -> str:
    """What a crawl would not fetch, in words ("2 links to private addresses refused, 1 page over
    max_page_size skipped"), or "" when nothing: one wording for the crawl summary, `status`, the
    daemon's log line and `sources test`."""
    parts = []
    if refused:
        parts.append(f"{plural(refused, 'link')} to private addresses refused")
    if oversized:
        parts.append(f"{plural(oversized, 'page')} over max_page_size skipped")
    return ", ".join(parts)
