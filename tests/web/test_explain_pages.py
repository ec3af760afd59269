"""No page of the archive and no `newsradar status` reads a whole big table to answer one request
(issue 20: at a million articles such a read is what makes a page slow). Every SQL statement the
home page, a topic page, a story page and `status` send is captured (SQLAlchemy's
before_cursor_execute) on a small archive filled through the real Ingestor, and EXPLAINed on
SQLite and PostgreSQL; a full scan of a table that grows with the archive fails the test.

Tables that grow with what is configured, not with the archive, may be read whole: subscribers,
channels, subscriptions and watches (people and their choices), settings and daemon_leases (a
few rows of state). Everything else grows with articles or with time (crawl_runs: a row per
source per crawl; deliveries: a row per alert) and must be read through an index.

PostgreSQL plans a tiny fixture table with a sequential scan whatever indexes exist, so its
plans are asked for with sequential scans off (as tests/search/test_explain.py does): one that
still scans has no index to use. SQLite's plan says SCAN for a read of a whole table or of a
whole index (SCAN t USING [COVERING] INDEX ...): both read every row, unless a LIMIT stops an
index read in order (no TEMP B-TREE to sort first).
"""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from newsradar.context import Context
from storage import Database, Story, StoryTopic
from tests.helpers import scratch_postgres
from tests.web.helpers import fill

BIG = (
    "articles", "policy_documents", "article_revisions", "crawl_state", "crawl_runs", "stories", "story_topics",
    "fingerprints", "fingerprint_counts", "topic_matches", "deliveries", "watch_matches", "article_retries",
    "search_index", "search_docs", "search_fts", "topic_days", "topic_sources",
)  # fmt: skip
WHOLE_SQLITE = re.compile(rf"\bSCAN ({'|'.join(BIG)})\b")
# An index read in its order under a LIMIT stops early (the home page's newest stories by
# stories.sort_at; its total counted over a LIMIT): not a whole read, as on PostgreSQL below.
INDEX_SQLITE = re.compile(rf"\bSCAN ({'|'.join(BIG)}) USING (?:COVERING )?INDEX\b")
SOURCES = ("bj-yaowen", "bj-zhengce", "eastmoney", "finews-feed", "finews-bjgov")

# Whole reads that remain, each found by the statement it is in, with why it is not fixed here
# (issue 20's closing note carries them). The test fails when one is no longer seen: keep this exact.
# (None left: `status` counts up to storage.counts.COUNT_CAP through an index, then estimates.)
KNOWN: list[tuple[str, str, re.Pattern[str]]] = []


def _config(folder: Path, url: str) -> Path:
    sources = "".join(
        f'\n[[sources]]\nname = "{s}"\nkind = "feed"\nstart_urls = ["https://{s}.example/feed.xml"]\n'
        for s in SOURCES
    )
    path = folder / "newsradar.toml"
    path.write_text(f'[database]\nurl = "{url}"\n{sources}', encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def archive(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("explain")
    if request.param == "sqlite":
        yield _config(folder, f"sqlite:///{folder}/a.db")
    else:
        with scratch_postgres("newsradar_x") as url:
            yield _config(folder, url)


def _recorder(seen: list[tuple[str, str, object]], what: list[str]):
    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((what[0], statement, parameters))

    return record


def _statements(config: Path, monkeypatch) -> list[tuple[str, str, object]]:
    """(what asked, statement, parameters) of every SELECT the four requests send."""
    from fastapi.testclient import TestClient

    from newsradar.commands import status
    from newsradar.config import load
    from web import create_app

    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", "x" * 32)
    # the capped total of a page (storage.archive.TOTAL_CAP) planned as on an archive bigger than
    # the cap: over a fixture smaller than it the planner rightly reads every row
    monkeypatch.setattr("storage.archive.TOTAL_CAP", 3)
    fill(config)
    ctx = Context(str(config), out=io.StringIO())
    db = ctx.db()  # opened (and migrated) before recording: status's own queries are what count
    with db.session() as s:
        topic = s.scalar(
            select(StoryTopic.topic_id).group_by(StoryTopic.topic_id).order_by(func.count().desc())
        )
        story = s.scalar(select(func.max(Story.id)))
    app = create_app(load(config), db=db)
    seen: list[tuple[str, str, object]] = []
    what = [""]
    record = _recorder(seen, what)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with TestClient(app) as client:
            for label, path in (("home", "/"), ("topic", f"/topics/{topic}"), ("story", f"/stories/{story}")):
                what[0] = label
                assert client.get(path).status_code == 200, path
        what[0] = "status"
        assert status.run(argparse.Namespace(json=False), ctx) == 0
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _pg_whole(node: dict, limited: bool = False) -> list[str]:
    """Big tables a PostgreSQL plan reads whole: a Seq Scan, a bitmap scan with no condition, or an
    index scan with no condition that no Limit stops early (the first rows in order are not a
    whole read)."""
    kind, table = node.get("Node Type", ""), node.get("Relation Name")
    found = []
    if table in BIG and (
        kind == "Seq Scan"
        or (kind == "Bitmap Heap Scan" and "Recheck Cond" not in node)
        or (kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node and not limited)
    ):
        found.append(f"{kind} on {table}")
    limited = kind == "Limit" or (limited and kind not in ("Sort", "Aggregate", "Hash", "Materialize"))
    for child in node.get("Plans", []):
        found += _pg_whole(child, limited)
    return found


def _whole_reads(db: Database, statements: list[tuple[str, str, object]]) -> list[tuple[str, str, str]]:
    """(what asked, statement, plan) of each statement whose plan reads a big table whole."""
    dialect = db.engine.dialect.name
    bad = []
    with db.engine.connect() as conn:
        if dialect == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
        for what, sql, params in {(w, s, repr(p)): (w, s, p) for w, s, p in statements}.values():
            if dialect == "sqlite":
                plan = "\n".join(
                    str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
                )
                whole = WHOLE_SQLITE.findall(plan)
                if re.search(r"\bLIMIT\b", sql) and "TEMP B-TREE" not in plan:
                    whole = [t for t in whole if t not in INDEX_SQLITE.findall(plan)]
            else:
                tree = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar_one()
                tree = json.loads(tree) if isinstance(tree, str) else tree
                whole = _pg_whole(tree[0]["Plan"])
                plan = "; ".join(whole)
            if whole:
                bad.append((what, sql, plan))
    return bad


def test_no_page_or_status_statement_reads_a_whole_big_table(archive, monkeypatch):
    statements = _statements(archive, monkeypatch)
    asked = {w for w, _, _ in statements}
    assert asked == {"home", "topic", "story", "status"}, asked  # each request was recorded
    ctx = Context(str(archive))
    try:
        bad = _whole_reads(ctx.db(), statements)
    finally:
        ctx.db().dispose()
    known = {(w, name): rx for w, name, rx in KNOWN}
    seen = {k for w, sql, _ in bad for k, rx in known.items() if k[0] == w and rx.search(sql.strip())}
    unexplained = [(w, sql, plan) for w, sql, plan in bad
                   if not any(k[0] == w and rx.search(sql.strip()) for k, rx in known.items())]  # fmt: skip
    assert not unexplained, "\n\n".join(f"[{w}] {sql}\n{plan}" for w, sql, plan in unexplained)
    assert seen == set(known), f"no longer read whole (drop them from KNOWN): {set(known) - seen}"
