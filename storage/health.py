"""Crawl-run rows: each crawl's figures per source, and the queries a health verdict reads.

The verdict itself (failing, blocked, quiet ...) is processor.health's; storage only stores.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, union_all
from sqlalchemy.orm import Session

from common import BLOCKED_REASON  # noqa: F401 - re-exported for the crawler

from .models import Article, CrawlRun
from .source_totals import SourceTotal

__all__ = [
    "BLOCKED_REASON", "FIGURES", "article_totals", "job_runs", "published_since", "recent_runs", "recent_runs_of",
    "record_run",
]  # fmt: skip

FIGURES = (
    "requests", "list_items", "unchanged_lists", "new", "updated", "skipped", "errors", "fallback", "blocked",
    "refused", "oversized",
)  # fmt: skip


def record_run(
    session: Session,
    source: str,
    figures: dict[str, Any],
    first_error: str | None = None,
    *,
    node: str | None = None,
    job: str | None = None,
) -> None:
    """Store one source's figures from one crawl (the caller commits); a crawler node's runs name
    the node and its Scrapyd job, so the daemon learns a round's figures from the database."""
    figures = {k: int(figures.get(k, 0)) for k in FIGURES}
    session.add(CrawlRun(source=source, first_error=first_error, node=node, job=job, **figures))


def recent_runs(session: Session, source: str, limit: int) -> list[Row]:
    """The source's latest `limit` crawl runs, newest first: rows with CrawlRun's attribute names,
    read with Core so `status` never pays for configuring the ORM mappers (as below)."""
    runs = CrawlRun.__table__.c
    return list(
        session.execute(
            select(CrawlRun.__table__)
            .where(runs.source == source)
            .order_by(runs.finished_at.desc(), runs.id.desc())
            .limit(limit)
        )
    )


def recent_runs_of(session: Session, sources: list[str], limit: int) -> dict[str, list[Row]]:
    """recent_runs for many sources in a statement per 200 of them (status and the sources page
    list every source): each source's runs are still read through its index, `limit` at most;
    rows read with Core like recent_runs."""
    runs = CrawlRun.__table__.c
    out: dict[str, list[Row]] = {name: [] for name in sources}
    names = list(out)
    for i in range(0, len(names), 200):  # SQLite allows 500 terms in a compound SELECT
        parts = []
        for name in names[i : i + 200]:
            newest = (
                select(runs.id)
                .where(runs.source == name)
                .order_by(runs.finished_at.desc(), runs.id.desc())
                .limit(limit)
                .subquery()
            )
            parts.append(select(newest.c.id))
        ids = union_all(*parts) if len(parts) > 1 else parts[0]
        for run in session.execute(select(CrawlRun.__table__).where(runs.id.in_(ids))):
            out[run.source].append(run)
    for runs in out.values():
        runs.sort(key=lambda r: (r.finished_at, r.id), reverse=True)
    return out


def job_runs(session: Session, job: str) -> list[CrawlRun]:
    """The runs a crawler node's job recorded (crawl_runs.job = Scrapyd's job id), one per source."""
    return list(session.scalars(select(CrawlRun).where(CrawlRun.job == job).order_by(CrawlRun.id)))


def article_totals(session: Session, sources: list[str]) -> dict[str, tuple[int, datetime | None]]:
    """Source -> (articles stored, when the newest was fetched), for sources with any.

    The count is storage.source_totals' row; the newest is one index seek per source: counting
    the articles here read the whole articles index on every `status`.
    """
    articles, totals = Article.__table__.c, SourceTotal.__table__.c
    newest = select(func.max(articles.fetched_at)).where(articles.source == totals.source).scalar_subquery()
    return {
        name: (n, last)
        for name, n, last in session.execute(
            select(totals.source, totals.articles, newest).where(
                totals.source.in_(sources), totals.articles > 0
            )
        )
    }


def published_since(session: Session, source: str, since: datetime) -> list[datetime]:
    """Publication times of the source's articles published since `since`."""
    articles = Article.__table__.c
    return list(
        session.scalars(
            select(articles.published_at).where(
                articles.source == source, articles.published_at.is_not(None), articles.published_at >= since
            )
        )
    )
