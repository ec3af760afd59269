"""Bounded counts for `newsradar status`: no figure it shows reads a whole table (issue 20).

An exact count(*) reads every row (or index entry) on both backends, which at a million
articles is most of what `status` costs. So a count here stops after COUNT_CAP + 1 rows read
in index order (past the cap only a lower bound is known, shown "10000+"), and a table's size
past the cap is an estimate the database keeps anyway (said "about"): PostgreSQL's planner
figure (pg_class.reltuples scaled to the table's current pages, as the planner does), SQLite's
max(id) (rows are never deleted from articles or stories, and SQLite gives a new row the
largest id plus one, so it is the count but for gaps a `db copy` from PostgreSQL carries).
"""

from __future__ import annotations

from sqlalchemy import Select, Table, func, select, text
from sqlalchemy.orm import Session

__all__ = ["COUNT_CAP", "capped_count", "table_rows"]

COUNT_CAP = 10_000

_PG_ESTIMATE = text(
    "SELECT CASE WHEN c.reltuples >= 0 AND c.relpages > 0 THEN"
    " c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int)"
    " END FROM pg_class c WHERE c.oid = to_regclass(:name)"
)


def capped_count(session: Session, rows: Select, cap: int | None = None) -> int:
    """How many rows `rows` selects, counting at most cap + 1 of them (COUNT_CAP unless given):
    a result above the cap means "more than the cap". `rows` selects one column an index holds."""
    cap = COUNT_CAP if cap is None else cap
    return session.scalar(select(func.count()).select_from(rows.limit(cap + 1).subquery())) or 0


def table_rows(session: Session, table: Table, cap: int | None = None) -> tuple[int, bool]:
    """(rows in the table, whether that is exact): exact up to the cap (COUNT_CAP unless given),
    an estimate past it."""
    cap = COUNT_CAP if cap is None else cap
    postgres = session.get_bind().dialect.name == "postgresql"
    rows = select(table.c.id)
    if postgres:  # in key order, so the plan walks the primary key and stops (never a bitmap of it all)
        rows = rows.order_by(table.c.id)
    # SQLite reads the narrowest covering index in its order, which the LIMIT stops: the table
    # itself, in rowid order, would mean a page per article (bodies are stored inline)
    n = capped_count(session, rows, cap)
    if n <= cap:
        return n, True
    estimate = None
    if postgres:
        estimate = session.scalar(_PG_ESTIMATE, {"name": table.name})
    if estimate is None:  # SQLite, or a PostgreSQL table never analysed yet
        estimate = session.scalar(select(func.max(table.c.id)))
    return max(int(estimate or 0), n), False
