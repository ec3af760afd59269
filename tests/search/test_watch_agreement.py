"""Search and watches give the same answer: a table of queries x the real-text fixture archive, on
SQLite and PostgreSQL. For each query, the articles the archive search lists (every page) are
exactly those the watch matcher (search.query_matches, and the QueryIndex a watch index uses)
says match, with the same topic and source filters."""

from __future__ import annotations

import pytest

import search
from tests.search.test_queries import QUERIES, all_hits

pytestmark = pytest.mark.timeout(600)

# Watch-style queries beyond search's own table: mixed scripts, prefixes, phrases across runs.
WATCH_QUERIES = [
    "北三县 轨道交通",
    "数字人民币 -冬奥",
    '"数字资产交易场所"',
    "CBDC 跨境",
    "城市副中心 -通州",
    "人民银 试点",
    "央",
    "副中心 2025",
    '"央行 数字"',
    "e-CNY",
    "银行 -银行",
    "跨境支付",
    "數位 貨幣",
    "绿色金融 通州",
    "mBridge 央行",
]
TABLE = [q for _, q, _ in QUERIES] + WATCH_QUERIES
FILTERED = [
    ("银行", {"source": "dc"}),
    ("银行", {"topic": "fintech"}),
    ("试点", {"topic": "digital_currency"}),
]


@pytest.fixture(scope="module")
def docs(archive):
    """Every fixture article tokenised as the watch matcher sees it: key -> (tokens, source, topics)."""
    return {i.key: (search.article_tokens(i.title, i.text), i.source, set(i.labels)) for i in archive.items}


def _watched(docs, q: str, topic: str | None = None, source: str | None = None) -> set[str]:
    parsed = search.parse_query(q)
    return {
        key
        for key, (doc, src, topics) in docs.items()
        if search.query_matches(parsed, doc)
        and (source is None or src == source)
        and (topic is None or topic in topics)
    }


@pytest.mark.parametrize("q", TABLE)
def test_watch_matcher_agrees_with_search(archive, docs, q):
    listed = archive.keys(h.article_id for h in all_hits(archive, q))
    assert _watched(docs, q) == listed, q


@pytest.mark.parametrize(("q", "filters"), FILTERED)
def test_watch_matcher_agrees_with_search_under_filters(archive, docs, q, filters):
    listed = archive.keys(h.article_id for h in all_hits(archive, q, **filters))
    assert listed, "the row tests nothing"
    assert _watched(docs, q, **filters) == listed


def test_the_table_is_not_vacuous(docs):
    """Rows that find something and a row that finds nothing: both kinds of agreement are tested."""
    sizes = {q: len(_watched(docs, q)) for q in TABLE}
    assert sum(1 for n in sizes.values() if n) >= len(TABLE) - 1
    assert sizes["银行 -银行"] == 0


def test_the_query_index_finds_what_each_query_finds(docs):
    """Filing every query under one token and checking candidates misses nothing and adds nothing."""
    index: search.QueryIndex[str] = search.QueryIndex()
    for q in TABLE:
        index.add(q, search.parse_query(q))
    per_query = {q: _watched(docs, q) for q in TABLE}
    for key, (doc, _, _) in docs.items():
        assert set(index.matching(doc)) == {q for q in TABLE if key in per_query[q]}, key
