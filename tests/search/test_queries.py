"""Search correctness: a table of queries against the real-text fixture archive, on SQLite and PostgreSQL.

Expected hits come from a plain scan of the normalised texts (substring for Chinese, whole word for
Latin words and numbers), so the index is checked against what the text really says.
"""

from __future__ import annotations

import re

import pytest

import search
from classifier import normalise

pytestmark = pytest.mark.timeout(600)

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# (kind, query, [fixture keys that must be among the hits])
QUERIES = [
    ("two-character", "央行", ["labelled-dc-006", "labelled-dc-012"]),
    ("two-character", "通州", ["labelled-sc-001", "labelled-sc-003"]),
    ("dictionary word", "数字人民币", ["labelled-dc-001", "labelled-dc-004"]),
    ("dictionary word", "副中心", ["labelled-sc-001"]),
    ("fragment", "人民币试", ["labelled-dc-001", "labelled-dc-004"]),
    ("fragment", "副中心高质", ["labelled-sc-007", "labelled-sc-027"]),
    ("fragment", "心行政办", ["labelled-sc-001"]),
    ("multi-word", "央行 数字货币", ["labelled-dc-006", "labelled-dc-008"]),
    ("multi-word", "通州 绿色", ["labelled-sc-008"]),
    ("multi-word", "副中心 规划 交通", ["labelled-sc-002"]),
    ("phrase", '"城市副中心"', ["labelled-sc-001", "labelled-sc-003"]),
    ("phrase", "“数字人民币 试点”", ["labelled-dc-001"]),
    ("exclusion", "数字人民币 -试点", ["labelled-dc-011", "labelled-dc-012"]),
    ("exclusion", '央行 -"数字货币"', ["labelled-dc-009", "labelled-dc-012"]),
    ("traditional", "數字人民幣", ["labelled-dc-001", "labelled-dc-004"]),
    ("traditional", "銀行", ["labelled-dc-004"]),
    ("traditional text", "银行科技", ["labelled-ft-008"]),
    ("latin", "CBDC", ["labelled-dc-006"]),
    ("latin full-width", "ＣＢＤＣ", ["holdout-ho-094"]),
    ("latin", "mbridge", ["labelled-dc-014"]),
    ("number", "2025", ["labelled-sc-007"]),
    ("number", "2021", ["labelled-sc-007"]),
]


def _words(q: str) -> list[tuple[str, bool]]:
    out = []
    for m in re.finditer(r'(-?)(?:"([^"]*)"|“([^”]*)”|(\S+))', q):
        text = m.group(2) or m.group(3) or m.group(4)
        out.append((normalise(text), bool(m.group(1))))
    return out


def _contains(text: str, word: str) -> bool:
    if re.fullmatch(f"[{HAN}]+", word):
        return word in text
    return re.search(rf"(?<![^\W_{HAN}]){re.escape(word)}(?![^\W_{HAN}])", text) is not None


def expected(archive, q: str) -> set[str]:
    words = _words(q)
    found = set()
    for item in archive.items:
        text = normalise(item.title) + "\n" + normalise(item.text)
        if all(_contains(text, w) != neg for w, neg in words):
            found.add(item.key)
    return found


def all_hits(archive, q: str, **filters) -> list[search.Hit]:
    hits: list[search.Hit] = []
    cursor = None
    with archive.db.session() as s:
        while True:
            page = search.search(s, q, limit=50, cursor=cursor, **filters)
            hits.extend(page.hits)
            cursor = page.next_cursor
            if cursor is None:
                assert page.total == len(hits)
                return hits


@pytest.mark.parametrize(("kind", "q", "must"), QUERIES, ids=[f"{k}:{q}" for k, q, _ in QUERIES])
def test_query_finds_exactly_the_texts_that_contain_it(archive, kind, q, must):
    want = expected(archive, q)
    assert want, f"the fixture archive has no text for {q!r}: the row tests nothing"
    hits = all_hits(archive, q)
    got = archive.keys(h.article_id for h in hits)
    assert got == want, f"{kind} {q!r}: missing {sorted(want - got)[:5]}, extra {sorted(got - want)[:5]}"
    assert len(hits) == len(got)
    assert set(must) <= got


def test_traditional_and_simplified_queries_find_the_same_articles(archive):
    simplified = {h.article_id for h in all_hits(archive, "数字人民币")}
    traditional = {h.article_id for h in all_hits(archive, "數字人民幣")}
    assert simplified == traditional
    trad_items = {i.key for i in archive.items if "數字人民幣" in i.text or "數字人民幣" in i.title}
    assert trad_items and trad_items <= archive.keys(simplified)


@pytest.mark.parametrize("q", ["央行", "数字人民币", "副中心", "CBDC"])
def test_title_hits_rank_above_body_hits(archive, q):
    hits = all_hits(archive, q)
    in_title = [_contains(normalise(h.title), normalise(q)) for h in hits]
    assert any(in_title) and not all(in_title)
    first_body = in_title.index(False)
    assert all(in_title[:first_body]) and not any(in_title[first_body:])


def test_snippets_mark_the_hits_in_the_original_script(archive):
    hits = all_hits(archive, "數字人民幣")
    trad = [h for h in hits if "數字人民幣" in h.snippet_html]
    assert trad, "a traditional-script article should show its own text"
    assert all("<mark>數字人民幣</mark>" in h.snippet_html for h in trad)
    for h in hits:
        assert "<mark>" in h.snippet_html or "<mark>" in h.title_html
        assert h.snippet_html.count("<mark>") == h.snippet_html.count("</mark>")


def test_filters_combine_with_the_query(archive):
    everything = all_hits(archive, "银行")
    by_source = all_hits(archive, "银行", source="dc")
    assert by_source and len(by_source) < len(everything)
    assert {h.source for h in by_source} == {"dc"}
    by_topic = all_hits(archive, "银行", topic="fintech")
    labelled = {i.key for i in archive.items if "fintech" in i.labels}
    assert by_topic and archive.keys(h.article_id for h in by_topic) <= labelled
    assert (
        archive.keys(h.article_id for h in by_topic)
        == archive.keys(h.article_id for h in everything) & labelled
    )


def test_date_range_is_beijing_time(archive):
    from datetime import date, datetime

    from storage import BEIJING

    day = date(2021, 12, 8)
    hits = all_hits(archive, "公司", since=day, until=day)
    assert hits
    for h in hits:
        assert h.published_at is not None and h.published_at.date() == day
    want = {
        i.key
        for i in archive.items
        if i.published_at
        and i.published_at.astimezone(BEIJING).date() == day
        and "公司" in normalise(i.text + i.title)
    }
    assert archive.keys(h.article_id for h in hits) == want
    naive = all_hits(archive, "公司", since=datetime(2021, 12, 8), until=datetime(2021, 12, 9))
    assert [h.article_id for h in naive] == [h.article_id for h in hits]


def test_pages_cover_every_hit_once_in_rank_order(archive):
    with archive.db.session() as s:
        whole = search.search(s, "银行", limit=100)
        first = search.search(s, "银行", limit=7)
        second = search.search(s, "银行", limit=7, cursor=first.next_cursor)
    assert whole.total == first.total == second.total > 14
    assert [h.article_id for h in first.hits + second.hits] == [h.article_id for h in whole.hits[:14]]


def test_beyond_the_ranking_window_older_matches_follow_newest_first(archive, monkeypatch):
    from search import _search

    ranked_all = all_hits(archive, "银行")
    monkeypatch.setattr(_search, "RANK_WINDOW", 25)
    hits: list[search.Hit] = []
    cursor = None
    with archive.db.session() as s:
        while True:
            page = search.search(s, "银行", limit=10, cursor=cursor)
            hits.extend(page.hits)
            assert page.total_exact is False and 25 <= page.total <= 4 * len(ranked_all)
            if (cursor := page.next_cursor) is None:
                break
    ids = [h.article_id for h in hits]
    assert len(ids) == len(set(ids)) and set(ids) == {h.article_id for h in ranked_all}
    window, older = ids[:25], ids[25:]
    assert min(window) > max(older)  # the window is the newest 25 matches
    assert older == sorted(older, reverse=True)
    titled = [_contains(normalise(h.title), "银行") for h in hits[:25]]
    assert titled == sorted(titled, reverse=True)  # title hits first within the window


@pytest.mark.parametrize(
    "q", ["银行", '"人民银行"', "银行 -副中心", "副中心 -银行", "人民币 -监管", "银行 -人民 -通州"]
)
@pytest.mark.parametrize("probes", [0, 3])
def test_the_ranked_window_is_the_newest_matches_whichever_way_they_are_found(
    archive, monkeypatch, q, probes
):
    """PostgreSQL finds the window of a phrase or an exclusion by checking the newest candidates
    first (probes) or every candidate at once (0 probes); both give the newest matches."""
    from search import _search
    from storage import fulltext

    every = {h.article_id for h in all_hits(archive, q)}
    monkeypatch.setattr(_search, "RANK_WINDOW", 8)
    monkeypatch.setattr(fulltext, "_PROBES", probes)
    with archive.db.session() as s:
        page = search.search(s, q, limit=8)
    assert len(every) > 8
    assert {h.article_id for h in page.hits} == set(sorted(every, reverse=True)[:8])
    assert page.total_exact is False
