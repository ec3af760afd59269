"""The JSON API (cursor pagination, filters, errors as JSON) and the Atom feeds (feedparser)."""

import feedparser
import pytest


def _all_pages(client, path: str, limit: int = 3) -> list[dict]:
    items, cursor, seen = [], None, 0
    while True:
        r = client.get(path, params={"limit": limit, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        data = r.json()
        items += data["items"]
        cursor = data["next_cursor"]
        seen += 1
        assert seen < 50
        if not cursor:
            return items


def test_stories_cursor_pagination_covers_every_story_once(client):
    everything = client.get("/api/v1/stories", params={"limit": 100}).json()
    paged = _all_pages(client, "/api/v1/stories")
    assert [s["id"] for s in paged] == [s["id"] for s in everything["items"]]
    assert everything["total"] == len(paged) and len(paged) > 10
    assert len({s["id"] for s in paged}) == len(paged)
    assert paged[0]["first_published_at"].endswith("+08:00") and paged[0]["evidence"]
    with_all = client.get("/api/v1/stories", params={"all": "true", "limit": 100}).json()
    assert with_all["total"] == everything["total"] + 3  # the three unmatched stories


def test_articles_cursor_pagination_and_filters(client):
    paged = _all_pages(client, "/api/v1/articles", limit=4)
    assert len(paged) == 30 and len({a["id"] for a in paged}) == 30
    east = client.get("/api/v1/articles", params={"source": "eastmoney", "limit": 100}).json()["items"]
    assert east and {a["source"] for a in east} == {"eastmoney"}
    green = client.get("/api/v1/articles", params={"topic": "green_finance", "limit": 100}).json()["items"]
    assert green and all("green_finance" in a["topics"] for a in green)


def test_article_and_story_detail(client, archive):
    aid = archive.ids["https://example.org/hostile.html"]
    a = client.get(f"/api/v1/articles/{aid}").json()
    assert a["title"] == "恶意页面 数字人民币" and "digital_currency" in a["topics"]
    assert (
        "<script" not in a["body_html"]
        and "onclick" not in a["body_html"]
        and "javascript:" not in a["body_html"]
    )
    story = client.get(f"/api/v1/stories/{a['story']}").json()
    assert story["articles"][0]["id"] == aid and story["evidence"][0]["topic"] == "digital_currency"
    policy = client.get(f"/api/v1/articles/{archive.ids['https://example.gov.cn/zhengce/1.html']}").json()
    assert policy["policy"]["doc_number"] == "京政发〔2025〕3号"


def test_topics_and_sources(client):
    topics = client.get("/api/v1/topics").json()["items"]
    assert {t["id"] for t in topics} == {"digital_currency", "sub_center", "green_finance", "fintech"}
    one = client.get("/api/v1/topics/sub_center", params={"days": 120}).json()
    assert len(one["per_day"]) == 120 and sum(d["stories"] for d in one["per_day"]) >= 6
    assert one["per_source"][0]["articles"] >= 1
    sources = client.get("/api/v1/sources").json()["items"]
    assert {"bj-yaowen", "eastmoney", "bj-zhengce"} <= {s["source"] for s in sources}


def test_openapi_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/articles",
        "/api/v1/stories",
        "/api/v1/topics",
        "/api/v1/search",
        "/api/v1/sources",
    ):
        assert path in spec["paths"], path
    assert not any(p.startswith("/admin") or p == "/" for p in spec["paths"])


@pytest.mark.parametrize(
    "path, status, words",
    [
        ("/api/v1/stories?limit=0", 400, "limit"),
        ("/api/v1/stories?limit=abc", 400, "limit"),
        ("/api/v1/stories?cursor=!!!", 400, "cursor"),
        ("/api/v1/stories?from=yesterday", 400, "not a date"),
        ("/api/v1/stories?topic=nope", 404, "no topic"),
        ("/api/v1/stories/123456", 404, "no story"),
        ("/api/v1/articles/abc", 404, "not an id"),
        ("/api/v1/topics/nope", 404, "no topic"),
        ("/api/v1/nothing", 404, "no page"),
        ("/api/v1/articles?source=%c3%28", 400, "UTF-8"),
    ],
)
def test_api_errors_are_json(client, path, status, words):
    r = client.get(path)
    assert r.status_code == status and r.headers["content-type"] == "application/json"
    assert words in r.json()["error"]


def test_topic_feed_is_valid_atom_with_sanitised_content(client, archive):
    r = client.get("/feeds/digital_currency.atom")
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10" and len(feed.entries) >= 6
    titles = [e.title for e in feed.entries]
    assert "恶意页面 数字人民币" in titles
    hostile = next(e for e in feed.entries if e.title == "恶意页面 数字人民币")
    assert hostile.link.startswith(archive.url + "/stories/")
    raw = r.text
    assert "&lt;script" not in raw and "onclick" not in raw and "javascript:" not in raw
    assert client.get("/feeds/nope.atom").status_code == 404
