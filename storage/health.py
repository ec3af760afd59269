"""Source health: each crawl's figures per source, and a verdict a person can act on.

A monitor that silently stops finding news is worse than one that crashes, so every crawl
records what each source yielded and `newsradar status` says which sources look broken.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common import iso_time

from .models import Article, CrawlRun

__all__ = ["BLOCKED_REASON", "record_run", "source_health"]

_FIGURES = (
    "requests", "list_items", "unchanged_lists", "new", "updated", "skipped", "errors", "fallback", "blocked",
)  # fmt: skip
# How a page answered with an anti-bot challenge is described everywhere a person reads it.
BLOCKED_REASON = "blocked by the site's bot challenge"
_BLOCKED_HELP = "the site answers crawlers with a JavaScript check instead of its pages; nothing was stored"


def record_run(
    session: Session, source: str, figures: dict[str, Any], first_error: str | None = None
) -> None:
    """Store one source's figures from one crawl (the caller commits)."""
    session.add(
        CrawlRun(source=source, first_error=first_error, **{k: int(figures.get(k, 0)) for k in _FIGURES})
    )


def _verdict(runs: list[CrawlRun]) -> tuple[str, str]:
    last = runs[0]
    if last.list_items == 0 and last.unchanged_lists == 0:
        failing = 1
        for run in runs[1:]:
            if run.list_items or run.unchanged_lists:
                break
            failing += 1
        in_a_row = f"{failing} crawl{'s' if failing > 1 else ''} in a row"
        if last.blocked:  # not "no items": the site never showed its list
            return "blocked", f"{BLOCKED_REASON}: {_BLOCKED_HELP} ({in_a_row})"
        why = last.first_error or "its list pages yielded no links"
        return "failing", f"{why} ({in_a_row})"
    if last.blocked:
        noun = "page was" if last.blocked == 1 else "pages were"
        return "partial", f"{last.blocked} article {noun} {BLOCKED_REASON}; nothing stored from them"
    # Judge extraction by the latest crawl that read articles (a quiet crawl reads none).
    worked = next((r for r in runs if r.new or r.updated or r.errors), None)
    if worked is not None and worked.fallback:
        noun = "article" if worked.fallback == 1 else "articles"
        why = f"{worked.fallback} {noun} needed generic extraction: has the site's template changed?"
        return "degraded", why
    if last.errors:
        return (
            "partial",
            f"{last.errors} page{'' if last.errors == 1 else 's'} failed, e.g. {last.first_error}",
        )
    return "ok", ""


def source_health(session: Session, sources: list[str], history: int = 5) -> list[dict[str, Any]]:
    """Per configured source: last crawl, last new article, stored count and a verdict."""
    per_source = session.execute(
        select(Article.source, func.count(), func.max(Article.fetched_at))
        .where(Article.source.in_(sources))
        .group_by(Article.source)
    ).all()
    stored = {name: n for name, n, _ in per_source}
    newest = {name: when for name, _, when in per_source}
    out = []
    for name in sources:
        runs = list(
            session.scalars(
                select(CrawlRun)
                .where(CrawlRun.source == name)
                .order_by(CrawlRun.finished_at.desc())
                .limit(history)
            )
        )
        status, detail = _verdict(runs) if runs else ("unknown", "never crawled")
        out.append(
            {
                "source": name,
                "status": status,
                "detail": detail,
                "last_crawl": iso_time(runs[0].finished_at) if runs else None,
                "last_new_article": iso_time(newest.get(name)),
                "articles": stored.get(name, 0),
                "last_run": {k: getattr(runs[0], k) for k in _FIGURES} if runs else None,
            }
        )
    return out
