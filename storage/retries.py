"""Article pages that failed, kept for a retry with backoff whatever their list pages do.

A list page that stays unchanged (304, or all links known) is not walked further, so an article
that failed once would otherwise be fetched again only when its list page happens to change:
missed for days. Each failed URL gets a row here; every crawl of its source retries the rows
that are due, and a success deletes the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Index, Integer, String, Text, delete, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import counts
from .models import Base
from .types import utcnow

__all__ = [
    "ArticleRetry",
    "MAX_ATTEMPTS",
    "clear_retries",
    "due_retries",
    "record_failure",
    "retry_backoff",
    "retry_counts",
]

MAX_ATTEMPTS = 8  # 15 min, 30 min, 1 h, … 12 h apart: about two days of trying
_FIRST = timedelta(minutes=15)
_LONGEST = timedelta(hours=12)


class ArticleRetry(Base):
    """One article URL whose fetch or extraction failed, and when to try it again."""

    __tablename__ = "article_retries"
    # a crawl's due retries and status's capped counts per source are ranges of it (migration 0022)
    __table_args__ = (Index("ix_article_retries_source_next_try", "source", "next_try_at"),)

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(Text)
    stamp: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    first_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_try_at: Mapped[datetime | None] = mapped_column(index=True)


def retry_backoff(attempts: int) -> timedelta | None:
    """How long after the attempts-th failure to try again; None once it is given up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return min(_FIRST * 2 ** (attempts - 1), _LONGEST)


def record_failure(
    session: Session,
    source: str,
    url: str,
    reason: str,
    *,
    title: str | None = None,
    stamp: str | None = None,
    now: datetime | None = None,
) -> ArticleRetry:
    """Count one more failure of the URL and schedule its next try (the caller commits)."""
    now = now or utcnow()
    row = session.get(ArticleRetry, url)
    if row is None:
        row = ArticleRetry(url=url, source=source, attempts=0, first_failed_at=now)
        session.add(row)
    row.source, row.attempts, row.last_error = source, (row.attempts or 0) + 1, reason[:2000]
    row.title = title or row.title
    row.stamp = stamp or row.stamp
    wait = retry_backoff(row.attempts)
    row.next_try_at = now + wait if wait is not None else None
    return row


def due_retries(
    session: Session, source: str, now: datetime | None = None, limit: int = 100
) -> list[ArticleRetry]:
    """The source's failed articles whose next try has come, oldest due first."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(ArticleRetry)
            .where(ArticleRetry.source == source, ArticleRetry.next_try_at <= now)
            .order_by(ArticleRetry.next_try_at)
            .limit(limit)
        )
    )


def clear_retries(session: Session, urls: Iterable[str]) -> int:
    """Forget URLs that have now been stored (the caller commits); how many rows went."""
    urls = list(urls)
    gone = 0
    for i in range(0, len(urls), 500):
        gone += session.execute(delete(ArticleRetry).where(ArticleRetry.url.in_(urls[i : i + 500]))).rowcount
    return gone


def retry_counts(session: Session, sources: list[str]) -> dict[str, dict[str, int]]:
    """source -> {"waiting": articles with a retry scheduled, "given_up": out of attempts}, for
    the sources that have any. Given-up rows stay, so each count is a range of the (source,
    next_try_at) index that stops after COUNT_CAP + 1 rows: a figure above COUNT_CAP means more.
    The statement is written as text, a row per source: built with Core objects, a few dozen
    sources cost `status` tens of milliseconds of Python before the first row is read."""
    out: dict[str, dict[str, int]] = {}
    count = "(SELECT count(*) FROM (SELECT 1 FROM article_retries WHERE source = :s{i} AND next_try_at IS {what} NULL LIMIT :cap) AS r)"
    for start in range(0, len(sources), 400):  # a term a source: SQLite allows 500 in a compound SELECT
        batch = sources[start : start + 400]
        sql = " UNION ALL ".join(
            f"SELECT {i} AS i, {count.format(i=i, what='NOT')} AS waiting, {count.format(i=i, what='')} AS given_up"
            for i in range(len(batch))
        )
        params = {f"s{i}": name for i, name in enumerate(batch)} | {"cap": counts.COUNT_CAP + 1}
        for i, waiting, given_up in session.execute(text(sql), params):
            if waiting or given_up:
                out[batch[i]] = {"waiting": waiting, "given_up": given_up}
    return out
