"""The search page, /api/v1/search and /feeds/search.atom over the search package (its own
correctness table lives in the search package's tests)."""

import re

import feedparser
import pytest

import search  # noqa: F401 - a broken search package fails here, it is never skipped


def _titles(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", t)
        for t in re.findall(r'class="title" href="/stories/\d+"[^>]*>(.*?)</a>', html)
    ]


def test_search_page_finds_words_and_fragments_with_highlights(client):
    r = client.get("/search", params={"q": "副中心高质"})
    assert r.status_code == 200
    assert "北京市人民政府关于推进城市副中心高质量发展的实施意见" in _titles(r.text)
    assert "<mark>" in r.text
    dc = client.get("/search", params={"q": "数字人民币"}).text
    assert "恶意页面 数字人民币" in _titles(dc)
    assert 'href="/feeds/search.atom?q=' in dc  # autodiscovery and a visible link


def test_search_combines_with_filters(client):
    def found(**params) -> list[str]:
        return [
            h["title"]
            for h in client.get("/api/v1/search", params={"q": "人民银行", "limit": 100, **params}).json()[
                "items"
            ]
        ]

    everything, green = found(), found(topic="green_finance")
    assert green and set(green) < set(everything) and all("green_finance" in t for t in green)
    shown = _titles(client.get("/search", params={"q": "人民银行", "topic": "green_finance"}).text)
    assert shown and set(shown) <= set(green)
    assert (
        "没有找到结果"
        in client.get("/search", params={"q": "人民银行", "from": "2000-01-01", "to": "2000-01-02"}).text
    )


@pytest.mark.parametrize(
    "params, status, words",
    [
        ({"q": "数" * 5000}, 400, "at most 500"),
        ({"q": "央行", "from": "soon"}, 400, "not a date"),
        ({"q": "央行", "topic": "nope"}, 404, "no topic"),
    ],
)
def test_bad_searches_get_clear_errors(client, params, status, words):
    r = client.get("/search", params=params)
    assert r.status_code == status and words in r.text and "Traceback" not in r.text


def test_search_page_without_query_shows_the_form(client):
    r = client.get("/search")
    assert r.status_code == 200 and 'name="q"' in r.text and "搜索结果" not in r.text
    assert client.get("/search?q=%e5%a4").status_code == 400  # a cut UTF-8 sequence


def test_search_api_pages_with_cursor(client):
    first = client.get("/api/v1/search", params={"q": "人民银行", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["total"] >= 3 and first["next_cursor"]
    second = client.get(
        "/api/v1/search", params={"q": "人民银行", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert {h["article_id"] for h in first["items"]}.isdisjoint(h["article_id"] for h in second["items"])
    hit = first["items"][0]
    assert {"article_id", "story_id", "title_html", "snippet_html", "published_at", "score"} <= set(hit)
    assert client.get("/api/v1/search").status_code == 400
    assert client.get("/api/v1/search", params={"q": "x" * 5000}).json()["status"] == 400


def test_search_feed_is_valid_atom(client):
    r = client.get("/feeds/search.atom", params={"q": "数字人民币"})
    feed = feedparser.parse(r.content)
    assert r.status_code == 200 and feed.bozo == 0, feed.get("bozo_exception")
    assert "恶意页面 数字人民币" in [e.title for e in feed.entries]
    assert "<script" not in r.text and "onclick" not in r.text
    assert client.get("/feeds/search.atom").status_code == 400
