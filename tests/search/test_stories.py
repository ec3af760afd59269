"""Story-grouped search over the real-text fixture archive (SQLite and PostgreSQL): one hit per
story, its other copies named, pages that neither repeat nor skip a story, inside and past the
ranking window."""

from __future__ import annotations

from datetime import timedelta

import pytest

import search
from tests.search.conftest import T0, Item, load

pytestmark = pytest.mark.timeout(600)

BODY = (
    "北京市地方金融管理局今日发布雷达测绘金融试点方案，明确在通州区开展雷达测绘金融服务试点，"
    "支持金融机构探索新型融资模式，推动城市副中心金融业态创新发展。方案提出三年内建成示范区。"
)


@pytest.fixture(scope="module")
def copies(archive):
    """One story in three sources (the lead first by tier and time), added to the archive."""
    items = [
        Item("copy-a", "bjgov", "雷达测绘金融试点方案发布", BODY, ("sub_center",), T0 + timedelta(days=400)),
        Item("copy-b", "xinhua", "雷达测绘金融试点方案发布（转载）", BODY + "（来源：北京日报）", (), T0 + timedelta(days=400, hours=1)),
        Item("copy-c", "people", "雷达测绘金融试点方案发布", BODY + "（责任编辑：王某）", (), T0 + timedelta(days=400, hours=2)),
    ]  # fmt: skip
    ids = load(archive.db, items)
    archive.ids.update(ids)
    return ids


def _walk(db, q: str, limit: int, **kw) -> tuple[list[search.StoryHit], list[search.StoryPage]]:
    hits, pages, cursor = [], [], None
    with db.session() as s:
        while True:
            page = search.search_stories(s, q, limit=limit, cursor=cursor, **kw)
            pages.append(page)
            hits += page.hits
            cursor = page.next_cursor
            if not cursor:
                return hits, pages


def test_a_story_with_three_copies_is_one_hit_naming_the_others(archive, copies):
    with archive.db.session() as s:
        articles = search.search(s, "雷达测绘").hits
        stories = search.search_stories(s, "雷达测绘")
    assert {h.article_id for h in articles} == set(copies.values())
    assert len(stories.hits) == 1 and stories.total == 1 and stories.total_exact
    hit = stories.hits[0]
    assert hit.story_id == articles[0].story_id
    assert hit.article_id == copies["copy-a"] and hit.title == "雷达测绘金融试点方案发布"
    assert "<mark>" in hit.title_html and "<mark>" in hit.snippet_html
    assert hit.best_article_id in copies.values()
    assert sorted(c.source for c in hit.copies) == ["people", "xinhua"]
    assert {c.article_id for c in hit.copies} == {copies["copy-b"], copies["copy-c"]}
    assert all(c.url.startswith("https://example.org/copy-") for c in hit.copies)


def _article_stories(db, q: str) -> set:
    with db.session() as s:
        found, cursor = [], None
        while True:
            page = search.search(s, q, limit=100, cursor=cursor)
            found += page.hits
            cursor = page.next_cursor
            if not cursor:
                break
    return {h.story_id if h.story_id is not None else -h.article_id for h in found}, len(found)


@pytest.mark.parametrize("q", ["人民银行", "数字人民币", "副中心"])
def test_pages_of_stories_neither_repeat_nor_skip(archive, copies, q):
    expected, articles = _article_stories(archive.db, q)
    hits, pages = _walk(archive.db, q, limit=4)
    keys = [h.story_id if h.story_id is not None else -h.best_article_id for h in hits]
    assert len(keys) == len(set(keys)), "a story shown twice"
    assert set(keys) == expected
    assert pages[0].total == len(expected) and pages[0].total_exact
    assert len(pages) == -(-len(expected) // 4)


@pytest.mark.parametrize("window", [3, 10])
def test_past_the_ranking_window_stories_still_come_once(archive, copies, window):
    expected, articles = _article_stories(archive.db, "人民银行")
    assert articles > window  # the walk really goes past the window
    hits, pages = _walk(archive.db, "人民银行", limit=4, window=window)
    keys = [h.story_id if h.story_id is not None else -h.best_article_id for h in hits]
    assert len(keys) == len(set(keys)), "a story shown twice"
    assert set(keys) == expected
    assert not pages[0].total_exact and pages[0].total >= 1


def test_story_cursors_are_checked(archive):
    with archive.db.session() as s:
        article_cursor = search.search(s, "人民银行", limit=1).next_cursor
        with pytest.raises(search.QueryError, match="cursor"):
            search.search_stories(s, "人民银行", cursor=article_cursor)
        with pytest.raises(search.QueryError, match="cursor"):
            search.search_stories(s, "人民银行", cursor="bm9wZQ")
