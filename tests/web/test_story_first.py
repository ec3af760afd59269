"""Story-first reading: search results, feeds and lists show a republished story once with
"N 转载" and the other sources; the story page puts evidence and copies before the body."""

from __future__ import annotations

import re
from datetime import timedelta

import feedparser
import pytest

from newsradar.context import Context
from processor import ArticleData, Ingestor
from tests.notifiers.helpers import TOPIC_TEXT
from tests.web.helpers import BASE

BODY = (
    "北京市地方金融管理局今日发布雷达测绘金融试点方案，明确在通州区开展雷达测绘金融服务试点，"
    "支持金融机构探索新型融资模式。" + TOPIC_TEXT["digital_currency"] + "方案提出三年内建成示范区。"
)
TITLE = "雷达测绘金融试点方案发布"
SOURCES = ("bj-yaowen", "finews-bjgov", "eastmoney")


@pytest.fixture(scope="module")
def story(archive):
    """One story in three sources, stored through the real ingest (classifier and grouping)."""
    ctx = Context(str(archive.config))
    ingestor = Ingestor(ctx.matcher())
    ids, stories = [], set()
    with ctx.db().session() as s:
        for n, (source, tail) in enumerate(
            zip(SOURCES, ("", "（来源：北京日报）", "（责任编辑：王某）"), strict=True)
        ):
            data = ArticleData(
                source=source, url=f"https://example.org/radar-{n}.html", title=TITLE + ("（转载）" if n == 1 else ""),
                body_text=BODY + tail, published_at=BASE + timedelta(hours=n), tier=n,
            )  # fmt: skip
            result = ingestor.ingest(s, data)
            ids.append(result.article_id)
            stories.add(result.story_id)
    ctx.db().dispose()
    assert len(stories) == 1, "the copies did not group into one story"
    return {"ids": ids, "story_id": stories.pop()}


def _results(html: str) -> list[str]:
    return re.findall(r'<li class="story">(.*?)</li>', html, re.S)


def test_search_lists_a_three_copy_story_once_with_its_reprints(client, story):
    html = client.get("/search", params={"q": "雷达测绘"}).text
    hits = _results(html)
    assert len(hits) == 1, hits
    hit = hits[0]
    assert f'href="/stories/{story["story_id"]}"' in hit and TITLE in re.sub("<[^>]+>", "", hit)
    assert "2 转载" in hit and "finews-bjgov" in hit and "eastmoney" in hit
    assert not re.search(r">#\d+<", html), "raw ids as link text"
    assert "共 1 条新闻" in html
    en = _results(client.get("/search", params={"q": "雷达测绘", "lang": "en"}).text)
    assert "reprinted 2×: finews-bjgov, eastmoney" in re.sub(r"\s+", " ", re.sub("<[^>]+>", "", en[0]))


def test_api_search_groups_by_story_unless_asked_for_articles(client, story):
    grouped = client.get("/api/v1/search", params={"q": "雷达测绘"}).json()
    assert grouped["total"] == 1 and len(grouped["items"]) == 1
    item = grouped["items"][0]
    assert item["story_id"] == story["story_id"] and item["title"] == TITLE
    assert item["article_id"] == story["ids"][0] and item["best_article_id"] in story["ids"]
    assert [c["source"] for c in item["copies"]] == list(SOURCES[1:])
    assert {"source", "title", "url", "published_at"} <= set(item["copies"][0])
    assert item["copies"][0]["published_at"].endswith("+08:00")
    articles = client.get("/api/v1/search", params={"q": "雷达测绘", "group": "article"}).json()
    assert articles["total"] == 3 and {h["article_id"] for h in articles["items"]} == set(story["ids"])
    assert all(h.get("copies") is None for h in articles["items"])
    bad = client.get("/api/v1/search", params={"q": "雷达测绘", "group": "topic"})
    assert bad.status_code == 400 and "group" in bad.text


def _walk(client, group: str) -> tuple[list[dict], int]:
    items, cursor, total = [], None, None
    while True:
        params = {"q": "新闻", "limit": 4, "group": group, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/search", params=params).json()
        items += page["items"]
        total = total if total is not None else page["total"]
        cursor = page["next_cursor"]
        if not cursor:
            return items, total


def test_api_pages_of_stories_count_stories(client, story):
    stories, total = _walk(client, "story")
    articles, article_total = _walk(client, "article")
    ids = [i["story_id"] for i in stories]
    assert len(ids) == len(set(ids)) == total < article_total
    assert set(ids) == {a["story_id"] for a in articles}
    copied = [i for i in stories if i["copies"]]
    assert copied and all(
        len(i["copies"]) + 1 == sum(a["story_id"] == i["story_id"] for a in articles) for i in copied
    )


def test_search_page_pages_through_stories(client, story):
    seen, url = [], "/search?q=新闻"
    while url:
        html = client.get(url).text
        seen += re.findall(r'class="title" href="/stories/(\d+)"', html)
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        url = "/search" + nxt.group(1).replace("&amp;", "&") if nxt else None
    assert seen and len(seen) == len(set(seen))


def test_search_feed_has_one_entry_per_story(client, story):
    feed = feedparser.parse(client.get("/feeds/search.atom", params={"q": "雷达测绘"}).content)
    assert feed.bozo == 0 and len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.id.endswith(f"/stories/{story['story_id']}") and entry.title == TITLE
    assert [a["name"] for a in entry.authors] == list(SOURCES)


def test_home_and_topic_lists_say_how_often_a_story_was_reprinted(client, story):
    for url in ("/", "/topics/digital_currency"):
        item = next(h for h in _results(client.get(url).text) if TITLE in h)
        assert "2 转载" in item and "finews-bjgov、eastmoney" in item


def test_story_page_leads_with_evidence_and_copies_then_the_body(client, story):
    html = client.get(f"/stories/{story['story_id']}").text
    h1, evidence = html.index("<h1"), html.index('class="story-evidence"')
    copies, body = html.index('class="story-copies"'), html.index('class="body"')
    assert h1 < evidence < copies < body
    for source in SOURCES:
        assert html.index(source, copies) < body
    section = html[evidence:copies]
    assert section.count("<dt>") == 1 and section.count("<dd>") == 1  # once per topic, not per copy
    assert "3 篇转载均命中" in section
