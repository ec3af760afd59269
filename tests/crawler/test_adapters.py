"""Each adapter on its fixture pages: exact titles, dates with offset, origins and body starts."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse

from crawler.adapters import BrokenPage, adapter_for, extract_article
from crawler.dates import parse_cn_datetime
from crawler.encoding import decode_response
from tests.mockserver import sites

BASE = "http://sample.test"


def built(cls, *args):
    site = cls(*args) if args else cls(cls.__name__.lower())
    site.base = BASE
    site.build()
    return site


def response(site, path: str) -> TextResponse:
    page = site.page(path)
    assert page is not None, path
    cls = XmlResponse if "xml" in page.content_type else HtmlResponse
    raw = cls(
        url=BASE + path,
        body=page.body,
        headers={"Content-Type": page.content_type},
        request=Request(BASE + path),
    )
    return decode_response(raw)


def article(site, path: str, kind: str):
    return extract_article(response(site, path), adapter_for(kind))


@pytest.fixture(scope="module")
def bj():
    return built(sites.BeijingGov, "bjgov")


@pytest.fixture(scope="module")
def em():
    return built(sites.Eastmoney, "eastmoney")


@pytest.fixture(scope="module")
def fin():
    return built(sites.Finews, "finews")


def test_beijing_list_pages_and_pager(bj):
    page = adapter_for("beijing_gov").parse_list(response(bj, "/ywdt/yaowen/index.html"))
    assert len(page.items) == 6
    first = page.items[0]
    assert first.url == f"{BASE}/ywdt/yaowen/202202/t20220211_2611111.html"
    assert first.title.startswith("中共北京市委办公厅 北京市人民政府办公厅印发")
    assert first.stamp == "2022-02-11"
    assert page.next_urls == [f"{BASE}/ywdt/yaowen/index_1.html"]
    last = adapter_for("beijing_gov").parse_list(response(bj, "/ywdt/yaowen/index_2.html"))
    assert last.next_urls == []


def test_beijing_article(bj):
    a = article(bj, "/ywdt/yaowen/202202/t20220211_2611001.html", "beijing_gov")
    assert a.title == "北京市召开全市优化营商环境工作会议"
    assert a.published_at.isoformat() == "2022-02-11T09:30:00+08:00"
    assert a.origin == "北京日报"
    assert a.body_text.startswith("2月10日，北京市召开全市优化营商环境工作会议")
    assert "主办" not in a.body_text and a.extraction == "selectors"
    assert a.language == "zh"


def test_beijing_old_template_without_meta(bj):
    a = article(bj, "/ywdt/yaowen/202202/t20220207_2611009.html", "beijing_gov")
    assert (a.title, a.origin) == ("本市持续开展城市环境整治", "首都之窗")
    assert a.published_at.isoformat() == "2022-02-07T08:15:00+08:00"


def test_beijing_empty_body_is_broken_not_guessed(bj):
    with pytest.raises(BrokenPage):
        article(bj, "/ywdt/yaowen/202202/t20220205_2611012.html", "beijing_gov")


def test_beijing_policy_document(bj):
    a = article(bj, "/zhengce/zhengcefagui/202201/t20220110_2580001.html", "beijing_gov")
    assert a.policy["doc_number"] == "京政发〔2022〕5号"
    assert a.policy["written_date"] == "2022-01-05"
    assert a.policy["validity"] == "现行有效"
    assert len(a.policy["attachments"]) == 2


@pytest.mark.parametrize("name", ["a1.html", "a2.html", "a3.html"])
def test_gbk_pages(name):
    site = built(sites.BeijingGbk, "bjgbk")
    expected = {t[0]: t for t in sites.BeijingGbk.ARTICLES}[name]
    a = article(site, f"/col/{name}", "beijing_gov")
    assert a.title == expected[1]
    assert a.published_at.isoformat() == expected[2].replace(" ", "T") + ":00+08:00"
    assert a.origin == "北京市发展和改革委员会"
    assert a.body_text.startswith(expected[4][0])


def test_gbk_list_page():
    site = built(sites.BeijingGbk, "bjgbk")
    page = adapter_for("beijing_gov").parse_list(response(site, "/col/index.html"))
    assert [i.title for i in page.items] == [a[1] for a in sites.BeijingGbk.ARTICLES]


def test_eastmoney_list_and_next_page(em):
    page = adapter_for("eastmoney").parse_list(response(em, "/a/cgnjj.html"))
    assert page.items[0].url == f"{BASE}/a/202202112273872039.html"
    assert page.items[0].title == "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"
    assert page.items[0].stamp == "02月11日 12:47"
    assert page.next_urls == [f"{BASE}/a/cgnjj_2.html"]


def test_eastmoney_article_strips_widgets(em):
    a = article(em, "/a/202202112273872039.html", "eastmoney")
    assert a.title == "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"
    assert a.published_at.isoformat() == "2022-02-11T12:47:00+08:00"
    assert a.origin == "北京市人民政府官网"
    assert a.author == "东方财富研究中心"
    assert a.body_text.startswith("《关于推进北京城市副中心高质量发展的实施方案》今天公布")
    for noise in ("K图", "郑重声明", "文章来源", "quote.eastmoney"):
        assert noise not in a.body_text and noise not in a.body_html


def test_eastmoney_2019_template(em):
    assert b"newsContent" in em.page("/a/202112082206710723.html").body
    a = article(em, "/a/202112082206710723.html", "eastmoney")
    assert a.title == "徐矿集团超额完成江苏省100万吨煤炭应急储备任务"
    assert a.published_at.isoformat() == "2021-12-08T10:21:00+08:00"
    assert a.origin == "东方财富网"


def test_jekyll_category_and_seed_post(fin):
    page = adapter_for("jekyll").parse_list(response(fin, "/category/beijingshirenminzhengfuguanwang.html"))
    assert [i.url for i in page.items] == [
        f"{BASE}/beijingshirenminzhengfuguanwang/2022/02/11/NW202202112273872039.html"
    ]
    a = article(fin, "/beijingshirenminzhengfuguanwang/2022/02/11/NW202202112273872039.html", "jekyll")
    assert a.title == "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"
    assert a.published_at.isoformat() == "2022-02-11T12:47:43+08:00"
    assert a.origin == "北京市人民政府官网"
    assert a.category == "beijingshirenminzhengfuguanwang"
    assert a.tags == ["北京市人民政府官网新闻"]
    assert a.body_text.startswith("《关于推进北京城市副中心高质量发展的实施方案》今天公布。方案提出")
    assert "返回" not in a.body_text and "BK0883" not in a.body_html


def test_jekyll_short_copy_with_digest(fin):
    a = article(fin, "/emnews/2022/02/11/202202112273872039.html", "jekyll")
    assert a.summary.startswith("《关于推进北京城市副中心高质量发展的实施方案》今天公布")
    assert a.origin == "北京市人民政府官网"
    assert a.tags == ["东财滚动新闻"]
    assert a.body_text.count("今天公布") == 1  # the digest is not repeated in the body
    assert "finance.eastmoney.com" not in a.body_text


def test_jekyll_broken_post_without_date(fin):
    a = article(fin, "/emnews/-202205262391921712.html", "jekyll")
    assert a.published_at is None and a.title == ""
    assert "霍尼韦尔" in a.body_text


def test_feed_entries(fin):
    page = adapter_for("feed").parse_list(response(fin, "/feed.xml"))
    assert len(page.items) == 10
    assert page.items[0].url == f"{BASE}/emnews/-202205262391921712.html" or page.items[0].stamp
    urls = {i.url for i in page.items}
    assert f"{BASE}/beijingshirenminzhengfuguanwang/2022/02/11/NW202202112273872039.html" in urls


def test_generic_selectors(bj):
    adapter = adapter_for(
        "generic",
        {"list_item": "ul.list li", "title": "a::attr(title)", "date": "span::text",
         "article_body": "//div[@id='mainText']", "article_title": "div.header p::text",
         "article_date": "#othermessage span:first-child::text", "article_origin": "#othermessage span:last-child::text"},
    )  # fmt: skip
    page = adapter.parse_list(response(bj, "/ywdt/yaowen/index.html"))
    assert page.items[1].title == "北京市召开全市优化营商环境工作会议" and page.items[1].stamp == "2022-02-11"
    a = adapter.parse_article(response(bj, "/ywdt/yaowen/202202/t20220211_2611001.html"))
    assert (a.title, a.origin) == ("北京市召开全市优化营商环境工作会议", "北京日报")
    assert a.published_at.isoformat() == "2022-02-11T09:30:00+08:00"


def test_anti_bot_page_falls_through_to_nothing():
    body = b"<html><head><script>var wzwschallenge='x'; document.cookie='wzwsconfirm=1'</script></head><body></body></html>"
    r = decode_response(HtmlResponse(url=BASE + "/x.html", body=body))
    assert extract_article(r, adapter_for("beijing_gov")) is None


@pytest.mark.parametrize(
    "text,iso",
    [
        ("2022-02-11 10:52", "2022-02-11T10:52:00+08:00"),
        ("发布时间：2022年02月11日 12:47", "2022-02-11T12:47:00+08:00"),
        ("2026-07-13-17:19:00", "2026-07-13T17:19:00+08:00"),
        ("2022/2/3", "2022-02-03T00:00:00+08:00"),
        ("2022-02-11T04:47:43Z", "2022-02-11T04:47:43+00:00"),
    ],
)
def test_chinese_dates(text, iso):
    assert parse_cn_datetime(text).isoformat() == iso


def test_undeclared_gbk_is_detected():
    text = "北京市人民政府关于印发通知的决定，请认真贯彻执行。"
    r = decode_response(
        HtmlResponse(url=BASE, body=f"<html><body><p>{text}</p></body></html>".encode("gbk"), encoding=None)
    )
    assert text in r.text


def test_gov_cn_json_list_variants():
    adapter = adapter_for("gov_cn")
    plain = b'[{"TITLE": "\xe9\x80\x9a\xe7\x9f\xa5", "URL": "/zhengce/content/202201/content_1.htm", "DOCRELPUBTIME": "2022-01-12"}]'
    r = TextResponse(url=BASE + "/zhengce/zuixin/ZUIXINZHENGCE.json", body=plain, encoding="utf-8")
    [item] = adapter.parse_list(r).items
    assert (item.url, item.title, item.stamp) == (
        f"{BASE}/zhengce/content/202201/content_1.htm",
        "通知",
        "2022-01-12",
    )
    wrapped = TextResponse(
        url=BASE + "/x.json", body=b'{"data": [{"TITLE": "a", "URL": "/a.htm"}]}', encoding="utf-8"
    )
    assert [i.url for i in adapter.parse_list(wrapped).items] == [f"{BASE}/a.htm"]
    broken = TextResponse(url=BASE + "/x.json", body=b"<html>not json</html>", encoding="utf-8")
    assert adapter.parse_list(broken).items == []


def test_gov_cn_article():
    site = built(sites.GovCn, "govcn")
    a = article(site, "/zhengce/content/202201/content_5667817.htm", "gov_cn")
    assert a.title == "国务院关于印发“十四五”数字经济发展规划的通知"
    assert a.published_at.isoformat() == "2022-01-12T17:00:00+08:00"
    assert a.tags == ["数字经济", "规划"] and a.policy["issuer"] == "国务院"
    assert a.body_text.startswith("各省、自治区、直辖市人民政府")


def test_eastmoney_split_article_points_to_its_next_page(em):
    from crawler.adapters import next_part

    first = response(em, "/a/202202112273880001.html")
    assert next_part(first, adapter_for("eastmoney")) == f"{BASE}/a/202202112273880001_2.html"
    assert next_part(response(em, "/a/202202112273880001_2.html"), adapter_for("eastmoney")) is None
    assert next_part(response(em, "/a/202202112273872039.html"), adapter_for("eastmoney")) is None
