"""crawler.discover and crawler.list_infer: from a URL on the loopback sample sites to the
[[sources]] keys that watch it."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler.adapters import ADAPTERS
from crawler.adapters.generic import Generic
from crawler.discover import Unreachable, discover, fetch
from crawler.list_infer import infer_list
from tests.mockserver.sites.unknown import DL_NEWS, TABLE_NOTICES


@pytest.mark.parametrize(
    ("site", "path", "kind"),
    [
        ("bjgov", "/ywdt/yaowen/", "beijing_gov"),
        ("bjgov", "/zhengce/zhengcefagui/", "beijing_gov"),
        ("bjgbk", "/col/index.html", "beijing_gov"),
        ("govcn", "/zhengce/zuixin/ZUIXINZHENGCE.json", "gov_cn"),
        ("eastmoney", "/a/cgnjj.html", "eastmoney"),
        ("finews", "/category/beijingshirenminzhengfuguanwang.html", "jekyll"),
        ("finews", "/feed.xml", "feed"),
    ],
)
def test_each_known_kind_is_recognised_by_its_markup(mocksite, site, path, kind):
    proposal = discover(mocksite[site] + path)
    assert proposal.entry == {"kind": kind, "start_urls": [mocksite[site] + path]}
    assert proposal.how == f"recognised as a page of kind {kind}"


def test_a_page_announcing_a_feed_proposes_the_feed(mocksite):
    base = mocksite["unknown"]
    proposal = discover(f"{base}/blog/index.html")
    assert proposal.entry == {"kind": "feed", "start_urls": [f"{base}/blog/rss.xml"]}
    assert 'rel="alternate"' in proposal.how


def _read(response, selectors):
    page = Generic(selectors).parse_list(response)
    return [(i.title, i.stamp, i.url) for i in page.items], page.next_urls


def test_a_dl_list_with_dates_gets_selectors_that_read_it(mocksite):
    base = mocksite["unknown"]
    proposal = discover(f"{base}/news/index.html")
    assert proposal.entry["kind"] == "generic"
    assert proposal.how == "a list of 4 links, 4 with a date: generic selectors inferred from the page"
    items, next_urls = _read(fetch(f"{base}/news/index.html"), proposal.entry["selectors"])
    assert items == [(t, d, base + p) for p, t, d, _, _ in DL_NEWS]
    assert next_urls == [f"{base}/news/index_2.html"]  # the 下一页 link, not 首页 or the sidebar


def test_a_table_list_reads_full_titles_and_the_date_cell(mocksite):
    base = mocksite["unknown"]
    selectors = discover(f"{base}/gg/list.html").entry["selectors"]
    items, next_urls = _read(fetch(f"{base}/gg/list.html"), selectors)
    # The link text is cut with "…": the full title is the link's title attribute.
    assert items == [(t, d, base + p) for p, t, d, _ in TABLE_NOTICES]
    assert next_urls == [f"{base}/gg/list_2.html"]  # rel=next


def test_a_page_without_a_list_proposes_nothing(mocksite):
    proposal = discover(mocksite["unknown"] + "/about.html")
    assert proposal.entry is None
    assert proposal.how == "no repeated block of links with dates found on the page"


def test_unreachable_and_missing_pages_say_so_in_one_line(mocksite):
    with pytest.raises(Unreachable, match=r"^cannot reach http://127\.0\.0\.1:\d+/x: Connection refused$"):
        discover(mocksite["dead"] + "/x")
    with pytest.raises(Unreachable, match=r"/nope\.html answered HTTP 404 Not Found$"):
        discover(mocksite["unknown"] + "/nope.html")


def test_gbk_pages_are_decoded_before_inference(mocksite):
    response = fetch(mocksite["bjgbk"] + "/col/index.html")
    assert "市发展改革委部署2022年重点工作" in response.text
    guess = infer_list(response)  # the template is known, but inference reads it as well
    items, _ = _read(response, guess.selectors)
    assert [t for t, _, _ in items] == [
        "市发展改革委部署2022年重点工作", "喆园社区开展垃圾分类宣传活动", "区财政局公布2021年预算执行情况",
    ]  # fmt: skip
    assert [d for _, d, _ in items] == ["2022-02-09", "2022-02-08", "2022-02-07"]


@pytest.mark.skipif("sitemap" not in ADAPTERS, reason="no sitemap kind on this branch")
def test_a_home_page_without_a_list_proposes_the_sitemap_robots_names(mocksite):
    base = mocksite["mapped"]
    proposal = discover(f"{base}/")
    assert proposal.entry["kind"] == "sitemap"
    assert proposal.entry["start_urls"] == [f"{base}/sm/sitemap.xml"]


PAGE = """<html><body>
<div class="side"><h3>推荐</h3><ul class="hot">
<li><a href="/h1.html">热门文章第一篇标题</a><span>2026-11-01</span></li>
<li><a href="/h2.html">热门文章第二篇标题</a><span>2026-11-02</span></li>
<li><a href="/h3.html">热门文章第三篇标题</a><span>2026-11-03</span></li></ul></div>
<ul class="nav"><li><a href="/a">新闻中心栏目</a></li><li><a href="/b">政务公开栏目</a></li>
<li><a href="/c">办事服务栏目</a></li><li><a href="/d">互动交流栏目</a></li><li><a href="/e">数据开放栏目</a></li></ul>
<div class="lst"><ul>
<li class="row1"><a href="/n/1.html">第一条新闻的完整标题</a> (12-03)</li>
<li class="row2"><a href="/n/2.html">第二条新闻的完整标题</a> (12-02)</li>
<li class="row3"><a href="/n/3.html">第三条新闻的完整标题</a> (12-01)</li>
<li class="row4"><a href="/n/4.html">第四条新闻的完整标题</a> (11-30)</li></ul></div>
<a href="?page=2">下页</a></body></html>"""


def test_the_biggest_dated_group_wins_over_menus_and_sidebars():
    """Undated menus lose to dated lists; of two dated lists the bigger wins; a date written as
    the entry's own text (MM-DD) is read; numbered row classes do not split the list."""
    response = HtmlResponse("http://example.cn/col/", body=PAGE.encode(), encoding="utf-8")
    guess = infer_list(response)
    assert (guess.entries, guess.dated) == (4, 4)
    items, next_urls = _read(response, guess.selectors)
    assert [(t, d) for t, d, _ in items] == [
        ("第一条新闻的完整标题", "(12-03)"), ("第二条新闻的完整标题", "(12-02)"),
        ("第三条新闻的完整标题", "(12-01)"), ("第四条新闻的完整标题", "(11-30)"),
    ]  # fmt: skip
    assert next_urls == ["http://example.cn/col/?page=2"]


def test_a_menu_alone_is_not_a_list():
    body = PAGE.split('<div class="lst">')[0].replace("2026-11-0", "第") + "</body></html>"
    assert infer_list(HtmlResponse("http://example.cn/", body=body.encode(), encoding="utf-8")) is None


def test_a_bug_in_an_adapters_suggest_is_logged_and_the_others_are_asked(monkeypatch, caplog):
    from crawler import discover as discover_module

    def broken(response):
        raise RuntimeError("boom")

    first = next(iter(ADAPTERS))
    monkeypatch.setattr(ADAPTERS[first], "suggest", broken)
    page = HtmlResponse(url="http://127.0.0.1/x", body=b"<html><body><p>nothing</p></body></html>")
    with caplog.at_level("ERROR", logger="crawler.discover"):
        discover_module._suggested(page)
    [record] = [r for r in caplog.records if "suggest() failed" in r.getMessage()]
    assert first in record.getMessage() and "boom" in record.exc_text
