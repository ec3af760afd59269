"""kind = "sitemap" crawled for real over loopback: robots.txt, an index, a gzipped sitemap, lastmod."""

from __future__ import annotations

import gzip

import pytest
from scrapy.http import Response, TextResponse, XmlResponse

from crawler.adapters import ADAPTERS, ListError
from crawler.adapters.sitemap import Sitemap
from tests.helpers import articles_json, run_cli, write_config

EDITED = "/news/2026/08/green-bonds.html"


def _report(stdout: str) -> dict[str, dict[str, int]]:
    lines = [line.split() for line in stdout.splitlines() if line and not line.startswith(" ")]
    header, rows = lines[0], lines[1:]
    return {r[0]: dict(zip(header[1:], map(int, r[1:]), strict=True)) for r in rows}


def _source(site, start: str, pattern: str | None = None, name: str = "fzx") -> str:
    extra = f"pattern = {pattern!r}\n" if pattern else ""
    return (
        f'[[sources]]\nname = "{name}"\nkind = "sitemap"\n{extra}start_urls = ["{site["sitemap"]}{start}"]\n'
    )


def _paths(log: list[dict]) -> list[str]:
    return [e["path"] for e in log if e["path"] != "/robots.txt" or e.get("status") == 200]


@pytest.fixture
def crawled_twice(fresh_mocksite, tmp_path):
    site = fresh_mocksite
    config = write_config(tmp_path, _source(site, "/robots.txt", pattern="/news/"))
    first = run_cli("crawl", config=config)
    first_log = site.log("sitemap")
    arts = articles_json(config)
    site.reset()
    site.bump("sitemap", EDITED)
    second = run_cli("crawl", config=config)
    return {"config": config, "first": first, "second": second, "first_log": first_log,
            "second_log": site.log("sitemap"), "articles": arts}  # fmt: skip


def test_robots_index_and_gzipped_sitemaps_are_followed(crawled_twice, fresh_mocksite):
    assert crawled_twice["first"].returncode == 0, crawled_twice["first"].stderr
    base = fresh_mocksite["sitemap"]
    by_title = {a["title"]: a for a in crawled_twice["articles"]}
    assert set(by_title) == {
        "通州区启动金融科技创新监管试点", "副中心绿色债券发行规模创新高", "城市副中心扩大数字人民币受理范围",
        "七月金融工作综述",  # from the gzipped sitemap
    }  # fmt: skip
    pilot = by_title["通州区启动金融科技创新监管试点"]
    assert pilot["url"] == f"{base}/news/2026/08/fintech-pilot.html"
    assert pilot["published_at"] == "2026-08-21T09:00:00+08:00"
    assert pilot["origin"] == "通州区融媒体中心"
    assert pilot["body"].startswith("通州区今日启动金融科技创新监管试点")
    assert by_title["七月金融工作综述"]["published_at"] == "2026-07-31T18:00:00+08:00"
    # the page in eastmoney's template is read by that adapter, the others by trafilatura
    rmb = by_title["城市副中心扩大数字人民币受理范围"]
    assert rmb["published_at"] == "2026-08-19T11:20:00+08:00"
    assert rmb["body"].startswith("城市副中心重点商圈、公交线路和政务服务大厅")
    assert _report(crawled_twice["first"].stdout)["fzx"] == {
        "requests": _report(crawled_twice["first"].stdout)["fzx"]["requests"],
        "new": 4, "updated": 0, "skipped": 0, "errors": 0,
    }  # fmt: skip


def test_pattern_filter_leaves_other_urls_unfetched(crawled_twice):
    assert "/about.html" not in {e["path"] for e in crawled_twice["first_log"]}
    assert all("/news/" in a["url"] for a in crawled_twice["articles"])


def test_second_crawl_fetches_only_the_page_whose_lastmod_changed(crawled_twice):
    out = crawled_twice["second"]
    assert out.returncode == 0, out.stderr
    report = _report(out.stdout)["fzx"]
    assert report["updated"] == 1 and report["new"] == 0 and report["errors"] == 0, out.stdout
    fetched = [e for e in crawled_twice["second_log"] if e["path"].startswith("/news/")]
    assert [e["path"] for e in fetched] == [EDITED]
    statuses = {e["path"]: e["status"] for e in crawled_twice["second_log"]}
    assert statuses["/sitemap-news.xml"] == 200  # changed: re-read, its other entries skipped
    assert statuses["/sitemap-pages.xml.gz"] == 304  # unchanged: not even re-read
    assert statuses["/sitemap_index.xml"] == 200  # an index is always re-read
    [edited] = [a for a in articles_json(crawled_twice["config"]) if a["url"].endswith(EDITED)]
    assert "（本文已更新）" in edited["body"] and edited["body"].startswith("今年以来，城市副中心企业")


def test_start_url_may_be_the_sitemap_itself(mocksite, tmp_path):
    config = write_config(tmp_path, _source(mocksite, "/sitemap-pages.xml.gz"))
    out = run_cli("crawl", config=config)
    assert out.returncode == 0, out.stderr
    titles = sorted(a["title"] for a in articles_json(config))
    assert titles == ["七月金融工作综述", "关于我们"]


def test_a_page_that_is_no_sitemap_is_reported(mocksite, tmp_path):
    config = write_config(tmp_path, _source(mocksite, "/news/"))
    out = run_cli("crawl", config=config)
    assert _report(out.stdout)["fzx"]["errors"] == 1
    assert "not a sitemap (no <urlset> or <sitemapindex>)" in out.stdout


def test_bad_pattern_is_a_config_error(mocksite, tmp_path):
    config = write_config(tmp_path, _source(mocksite, "/robots.txt", pattern="(news"))
    out = run_cli("sources", "list", config=config)
    assert out.returncode != 0 and "pattern" in out.stderr and "not a valid regular expression" in out.stderr


def _xml(url: str, body: bytes) -> Response:
    return XmlResponse(url, body=body, encoding="utf-8")


def test_suggest_recognises_sitemaps_only():
    urlset = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a/1</loc></url></urlset>'
    assert Sitemap.suggest(_xml("http://a/sitemap.xml", urlset)) == {"kind": "sitemap"}
    gz = Response("http://a/s.xml.gz", body=gzip.compress(urlset))
    assert Sitemap.suggest(gz) == {"kind": "sitemap"}
    html = TextResponse("http://a/", body=b"<html><body><p>hi</p></body></html>", encoding="utf-8")
    assert Sitemap.suggest(html) is None
    feed = _xml("http://a/feed.xml", b'<?xml version="1.0"?><rss><channel></channel></rss>')
    assert Sitemap.suggest(feed) is None
    assert ADAPTERS["sitemap"] is Sitemap


def test_robots_without_sitemap_line_is_an_error():
    robots = TextResponse("http://a/robots.txt", body=b"User-agent: *\nDisallow:\n", encoding="utf-8")
    with pytest.raises(ListError, match="names no sitemap"):
        Sitemap().parse_list(robots)
