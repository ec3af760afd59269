"""Characters XML 1.0 forbids, other non-characters and bidi controls never reach a feed, page or
API answer, even when they are already stored (issue 23, defect 4: a crawled U+FFFE made
/feeds/*.atom ill-formed; a U+202E in a title reversed the score line beside it)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from newsradar.context import Context
from processor import ArticleData, Ingestor
from tests.notifiers.helpers import TOPIC_TEXT
from tests.web.helpers import BASE, serve, web_config

HOSTILE = "\ufffe\uffff\u202e\u2066\U0010ffff\x0b"
TITLE = f"数字人民币{HOSTILE}试点扩容"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """An archive whose article carries the characters (stored as an old crawler stored them)."""
    with web_config(tmp_path_factory, "unsafe") as config:
        ctx = Context(str(config))
        body = f"正文{HOSTILE}开始。{TOPIC_TEXT['digital_currency']}结束{HOSTILE}。"
        item = ArticleData(source="bj-yaowen", url="https://example.gov.cn/x/1.html", title=TITLE, body_text=body,
                           body_html=f"<p>{body}</p>", published_at=BASE)  # fmt: skip
        with ctx.db().session() as s:
            result = Ingestor(ctx.matcher()).ingest(s, item)
        ctx.db().dispose()
        served = serve(config)
        served.article_id = result.article_id
        yield served
        served.stop()


def _clean(text: str) -> None:
    for ch in HOSTILE:
        assert ch not in text, f"U+{ord(ch):04X} reached the output"


def test_the_topic_feed_stays_well_formed_xml(stored):
    with stored.client() as c:
        r = c.get("/feeds/digital_currency.atom")
    assert r.status_code == 200
    feed = etree.fromstring(r.content)  # raises on "PCDATA invalid Char value 65534"
    titles = feed.findall(".//{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert [t.text for t in titles] == ["数字人民币试点扩容"]
    _clean(r.text)


def test_the_search_feed_stays_well_formed_xml(stored):
    with stored.client() as c:
        r = c.get("/feeds/search.atom", params={"q": "试点扩容"})
    assert r.status_code == 200
    etree.fromstring(r.content)
    _clean(r.text)


def test_pages_and_api_answers_carry_none(stored):
    with stored.client() as c:
        aid = stored.article_id
        story = c.get("/api/v1/articles/" + str(aid)).json()["story"]
        for path in (
            "/",
            f"/articles/{aid}",
            f"/stories/{story}",
            "/search?q=试点扩容",
            "/topics/digital_currency",
        ):
            r = c.get(path)
            assert r.status_code == 200 and "试点扩容" in r.text, path
            _clean(r.text)
        for path in (
            f"/api/v1/articles/{aid}",
            f"/api/v1/stories/{story}",
            "/api/v1/stories",
            "/api/v1/search?q=试点扩容",
        ):
            r = c.get(path)
            assert r.status_code == 200, path
            _clean(json.dumps(r.json(), ensure_ascii=False))
            _clean(r.text)
