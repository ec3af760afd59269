"""Articles stored per source, kept with every article write.

`status`, the /sources page and the sources API show each source's stored articles. Counted
straight that is a read of the whole articles index (18 ms at 100k articles on SQLite, so
~180 ms at 1M, every `status`); the counter is one primary-key row per source.
storage.articles bumps it in the transaction that inserts an article or moves one to another
source (articles are never deleted); migration 0023 fills it from what is stored.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from .db import raw_sql
from .models import Base

__all__ = ["SourceTotal", "bump"]


class SourceTotal(Base):
    """Articles stored for one source (kept by storage.articles)."""

    __tablename__ = "source_totals"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    articles: Mapped[int] = mapped_column(Integer)

    __table_args__ = ({"sqlite_with_rowid": False},)


def bump(conn: Connection, changes: dict[str, int]) -> None:
    """Add each source's delta (in source order: concurrent PostgreSQL writers lock alike)."""
    rows = [(source, n) for source, n in sorted(changes.items()) if n]
    if not rows:
        return
    raw_sql(
        conn,
        "INSERT INTO source_totals (source, articles) VALUES (?, ?)"
        " ON CONFLICT (source) DO UPDATE SET articles = source_totals.articles + excluded.articles",
        rows,
        many=True,
    )
