"""eastmoney's JSON lists crawled for real over loopback: the column API, fast news, share pages."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import articles_json, run_cli, write_config
from tests.mockserver.sites.eastmoney_api import FAST_NEWS, SHARE_CODE, SHARE_TITLE

SEED_TITLE = "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"
TWIN_TITLE = "北京：积极推进城市副中心开展绿色金融改革试点 探索建设绿色金融服务平台"


def _sources(site) -> str:
    em = site["eastmoney"]
    return f'''
[[sources]]
name = "em-column"
kind = "eastmoney"
list = "api"
column = 350
page_size = 2
max_pages = 5
start_urls = ["{em}/comm/web/getNewsByColumns"]

[[sources]]
name = "em-fast"
kind = "eastmoney"
list = "fast"
start_urls = ["{em}/comm/web/getFastNewsList"]

[[sources]]
name = "em-nocolumn"
kind = "eastmoney"
list = "api"
column = "4040"
start_urls = ["{em}/"]
'''


def _report(stdout: str) -> dict[str, dict[str, int]]:
    lines = [line.split() for line in stdout.splitlines() if line and not line.startswith(" ")]
    header, rows = lines[0], lines[1:]
    return {r[0]: dict(zip(header[1:], map(int, r[1:]), strict=True)) for r in rows}


@pytest.fixture(scope="module")
def crawled(mocksite, tmp_path_factory):
    folder = tmp_path_factory.mktemp("emapi")
    config = write_config(folder, _sources(mocksite))
    mocksite.reset()
    out = run_cli("crawl", config=config)
    return {"config": config, "out": out, "log": mocksite.log("eastmoney"), "articles": articles_json(config)}


def _api_requests(log: list[dict]) -> list[dict]:
    return [e for e in log if e["path"].startswith("/comm/web/")]


def test_mock_api_refuses_requests_without_req_trace(mocksite):
    url = f"{mocksite['eastmoney']}/comm/web/getNewsByColumns?client=web&column=350&page_index=1"
    answer = json.loads(urllib.request.urlopen(url).read())
    assert answer["code"] == "-1" and answer["data"] is None


def test_every_api_request_carries_a_fresh_req_trace_and_browser_headers(crawled):
    requests = _api_requests(crawled["log"])
    assert len(requests) == 5  # column pages 1-3 (2, 2, 1 items), fast news, the unknown column
    traces = [parse_qs(e["query"])["req_trace"][0] for e in requests]
    assert all(len(t) >= 16 for t in traces) and len(set(traces)) == len(traces)
    assert {e["referer"] for e in requests} == {"https://finance.eastmoney.com/7x24.html"}
    assert all(e["ua"].startswith("Mozilla/5.0") for e in requests)
    column = [parse_qs(e["query"]) for e in requests if e["path"].endswith("getNewsByColumns")]
    pages = sorted(q["page_index"][0] for q in column if q["column"] == ["350"])
    assert pages == ["1", "2", "3"]
    assert {q["page_size"][0] for q in column} == {"2", "20"}
    assert all(q["client"] == ["web"] and q["biz"] == ["web_news_col"] for q in column)


def test_column_api_items_are_fetched_and_read_as_article_pages(crawled, mocksite):
    assert crawled["out"].returncode == 0, crawled["out"].stderr
    em = mocksite["eastmoney"]
    arts = {a["title"]: a for a in crawled["articles"] if a["source"] == "em-column"}
    assert len(arts) == 5
    seed = arts[SEED_TITLE]
    assert seed["url"] == f"{em}/a/202202112273872039.html"
    assert seed["published_at"] == "2022-02-11T12:47:00+08:00"
    assert seed["origin"] == "北京市人民政府官网"
    twin = arts[TWIN_TITLE]  # split over two pages: both read
    assert twin["body"].startswith("记者从市地方金融监管局获悉")
    assert "北京绿色交易所合作" in twin["body"]
    assert _report(crawled["out"].stdout)["em-column"]["new"] == 5


def test_share_page_shell_is_read_from_its_json_body(crawled, mocksite):
    em = mocksite["eastmoney"]
    [share] = [a for a in crawled["articles"] if a["title"] == SHARE_TITLE]
    assert share["url"] == f"{em}/a/NewsShare.html?infoCode=NW{SHARE_CODE}"
    assert share["published_at"] == "2022-08-22T09:30:00+08:00"
    assert share["origin"] == "北京日报"
    assert share["body"].startswith("北京城市副中心日前发布数字人民币应用场景建设方案")
    bodies = [e for e in crawled["log"] if e["path"] == "/NewsData/GetNewsText.do"]
    assert [parse_qs(e["query"])["id"] for e in bodies] == [[SHARE_CODE]]


def test_fast_news_is_stored_from_the_list_without_fetching_pages(crawled):
    fast = {a["title"]: a for a in crawled["articles"] if a["source"] == "em-fast"}
    assert set(fast) == {row["title"] for row in FAST_NEWS}
    repo = fast["央行开展2000亿元逆回购操作"]
    assert repo["url"] == "https://finance.eastmoney.com/a/202608223490000002.html"
    assert repo["published_at"] == "2026-08-22T10:12:00+08:00"
    assert repo["body"].startswith("【央行开展2000亿元逆回购操作】中国人民银行今日以利率招标方式")
    uncoded = fast["沪深两市成交额突破万亿元"]
    assert uncoded["url"].startswith("https://finance.eastmoney.com/7x24.html#")
    assert uncoded["published_at"] == "2026-08-22T09:45:00+08:00"
    # nothing but the API itself was asked of the site for this source
    assert not any("3490000" in e["path"] for e in crawled["log"])


def test_second_fast_crawl_stores_nothing_new_and_keeps_urls_stable(crawled):
    out = run_cli("crawl", "--source", "em-fast", config=crawled["config"])
    assert out.returncode == 0, out.stderr
    report = _report(out.stdout)["em-fast"]
    assert report["new"] == 0 and report["skipped"] == 3, out.stdout
    assert len([a for a in articles_json(crawled["config"]) if a["source"] == "em-fast"]) == 3


def test_json_error_answer_is_reported_with_its_reason(crawled):
    out = crawled["out"].stdout
    assert _report(out)["em-nocolumn"]["errors"] == 1
    assert "the eastmoney API refused the request: code -2 (column 4040 does not exist)" in out
    status = run_cli("status", "--json", config=crawled["config"])
    health = {h["source"]: h for h in json.loads(status.stdout)["sources"]}
    assert health["em-nocolumn"]["status"] != "ok"
    assert "column 4040 does not exist" in health["em-nocolumn"]["detail"]
    assert health["em-column"]["status"] == "ok"


def test_list_options_are_checked_when_the_config_loads(tmp_path):
    config = write_config(
        tmp_path, '[[sources]]\nname = "x"\nkind = "eastmoney"\nlist = "json"\nstart_urls = ["http://a.b/"]\n'
    )
    out = run_cli("sources", "list", config=config)
    assert out.returncode != 0
    assert "list" in out.stderr and "must be one of html, api, fast" in out.stderr


@pytest.mark.sqlite_only("checks no .db file is created")
def test_sources_test_probes_the_api(mocksite, tmp_path):
    config = write_config(tmp_path, _sources(mocksite))
    out = run_cli("sources", "test", "em-fast", "--articles", "1", config=config)
    assert out.returncode == 0, out.stderr
    assert "央行开展2000亿元逆回购操作" in out.stdout
    assert urlsplit(mocksite["eastmoney"]).port and not (tmp_path / "newsradar.db").exists()
