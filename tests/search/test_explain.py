"""No search request reads a whole table: every statement search() and search_stories() send
(each query kind, with filters, past the ranking window) is EXPLAINed on SQLite and PostgreSQL,
and none scans articles or the index from end to end. PostgreSQL plans a tiny fixture table
with a sequential scan whatever indexes exist, so its plans are asked for with sequential scans
off: one that still scans has no index to use."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import event

import search
from search import _search

QUERIES = [
    "央行",
    "数字人民币",
    '"城市副中心"',
    "央行 数字货币",
    "数字人民币 -试点",
    "銀行",
    "CBDC",
    "2021",
    "人",
]
FILTERS = [
    {},
    {"source": "labelled"},
    {"topic": "fintech"},
    {"since": date(2024, 1, 2), "until": date(2024, 3, 1)},
]
# SQLite: "SCAN articles" (also "USING INDEX": the whole index); PostgreSQL: a Seq Scan.
WHOLE = {
    "sqlite": re.compile(r"\bSCAN (articles|search_docs|topic_matches|stories)\b"),
    "postgresql": re.compile(r"Seq Scan on (articles|search_index|topic_matches|stories)\b"),
}


def _statements(db, monkeypatch) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    monkeypatch.setattr(_search, "RANK_WINDOW", 5)  # small: the pages past the window are asked too
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.session() as s:
            for q in QUERIES:
                for f in FILTERS:
                    page = search.search(s, q, limit=3, **f)
                    if page.next_cursor:
                        search.search(s, q, limit=3, cursor=page.next_cursor, **f)
                    stories = search.search_stories(s, q, limit=3, window=5, **f)
                    if stories.next_cursor:
                        search.search_stories(s, q, limit=3, window=5, cursor=stories.next_cursor, **f)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_no_search_statement_reads_a_whole_table(archive, monkeypatch):
    statements = _statements(archive.db, monkeypatch)
    assert len(statements) > len(QUERIES) * len(FILTERS) * 2
    dialect = archive.db.engine.dialect.name
    bad = []
    with archive.db.engine.connect() as conn:
        if dialect == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
        for sql, params in {(s, repr(p)): (s, p) for s, p in statements}.values():
            prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
            plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql(prefix + sql, params))
            if WHOLE[dialect].search(plan):
                bad.append(f"{sql}\n{plan}")
    assert not bad, "\n\n".join(bad)
