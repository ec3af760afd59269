"""Crawled text is data: no control characters, no script text, no relative links survive extraction."""

from __future__ import annotations

import json
import re

import pytest
from scrapy.http import HtmlResponse, Request

from common import printable
from crawler.adapters import adapter_for, extract_article, extract_list
from crawler.clean import clean_body, clean_fields, strip_controls
from tests.helpers import config_database_url, run_cli, write_config
from tests.mockserver import sites

BASE = "http://hostile.test"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def hostile():
    site = sites.Hostile("hostile")
    site.base = BASE
    site.build()
    return site


def _response(site, path):
    return HtmlResponse(
        url=BASE + path, body=site.page(path).body, encoding="utf-8", request=Request(BASE + path)
    )


def _article(site, path):
    return extract_article(_response(site, path), adapter_for("generic", sites.HOSTILE_SELECTORS))


def test_control_characters_are_stripped_from_every_field(hostile):
    a = _article(hostile, "/news/a1.html")
    assert a.title == "[31m金融科技[0m 监管沙盒"
    for value in (a.title, a.body_text, a.body_html):
        assert not CONTROL.search(value), repr(value)
    assert "数字人民币试点范围扩大]0;pwned，覆盖更多场景。" in a.body_text


def test_strip_controls_keeps_newlines_and_tabs():
    assert strip_controls("a\x1b[0m\tb\r\nc\x85d\x07") == "a[0m\tb\ncd"
    item = sites.Page(b"")  # any dataclass: fields are cleaned in place, recursively
    assert clean_fields({"k": ["x\x08y "]}) == {"k": ["xy"]} and item.body == b""


def test_non_characters_surrogates_and_bidi_controls_are_stripped_at_extraction():
    # U+FFFE/U+FFFF make feeds ill-formed XML; U+202E reverses the text beside a title
    text = "数字\ufffe人民币\uffff \u202e试点\u202c\u2066扩容\u2069\U0001fffe\U0010ffff\ufdd0\ud800\x0c"
    assert strip_controls(text) == "数字人民币 试点扩容"
    assert clean_fields({"title": [" \u202a标题\u202b "]}) == {"title": ["标题"]}
    assert strip_controls("中文\u200d😀 é\t") == "中文\u200d😀 é\t"  # joiners, emoji, accents stay


def test_script_and_style_contents_are_never_text(hostile):
    a = _article(hostile, "/news/a2.html")
    assert a.title == "数字人民币试点扩容"
    page = extract_list(
        _response(hostile, "/news/index.html"), adapter_for("generic", sites.HOSTILE_SELECTORS)
    )
    titles = [i.title for i in page.items]
    assert titles == ["[31m金融科技[0m 监管沙盒", "数字人民币试点"]


def test_relative_links_in_the_body_become_absolute(hostile):
    a = _article(hostile, "/news/a1.html")
    hrefs = re.findall(r'href="([^"]+)"', a.body_html)
    assert hrefs == [f"{BASE}/ok.html", f"{BASE}/up/doc.html"]
    assert "color:red" not in a.body_text
    assert 'href="http://x.test/a/b.html"' in clean_body(
        '<p><a href="b.html">b</a></p>', "http://x.test/a/c.html"
    )


def test_printable_escapes_what_a_terminal_would_act_on():
    assert printable("\x1b[31m红\x1b[0m\x07\u202e") == "\\x1b[31m红\\x1b[0m\\x07\\u202e"
    assert printable("一\n二\t三 四\u3000五") == "一\n二\t三 四\u3000五"


def test_crawled_hostile_page_reaches_terminal_inert(mocksite, tmp_path):
    selectors = "\n".join(f"{k} = {json.dumps(v)}" for k, v in sites.HOSTILE_SELECTORS.items())
    config = write_config(
        tmp_path,
        f"""
[[sources]]
name = "hostile"
kind = "generic"
start_urls = ["{mocksite["hostile"]}/news/index.html"]
[sources.selectors]
{selectors}
""",
    )
    run_cli("subscribers", "add", "--topics", "digital_currency", "--console", config=config)
    out = run_cli("crawl", config=config)
    assert out.returncode == 0, out.stderr
    assert not CONTROL.search(out.stdout + out.stderr)
    listing = run_cli("articles", "list", config=config)
    assert "数字人民币试点扩容" in listing.stdout and "金融科技" in listing.stdout
    alerts = run_cli("dispatch", config=config)
    assert "数字人民币" in alerts.stdout
    for text in (listing.stdout, alerts.stdout, listing.stderr, alerts.stderr):
        assert not CONTROL.search(text), repr(text)
    # Text stored before extraction stripped controls is still printed inert (escaped), never raw.
    from storage import Article, Database

    db = Database(config_database_url(config))
    with db.session() as s:
        s.query(Article).filter(Article.title.like("%扩容%")).update({"title": "旧\x1b[2J\x07标题"})
        s.commit()
    old = run_cli("articles", "list", config=config)
    assert "旧\\x1b[2J\\x07标题" in old.stdout and not CONTROL.search(old.stdout)
    [body] = [json.loads(x)["body_html"] for x in run_cli("articles", "list", "--json", config=config).stdout.splitlines()
              if "金融科技" in x]  # fmt: skip
    assert f'href="{mocksite["hostile"]}/ok.html"' in body
