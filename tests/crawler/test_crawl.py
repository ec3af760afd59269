"""Real Scrapy crawls over HTTP of the sample sites, through the `newsradar` command line."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tests.helpers import articles_json, run_cli, sample_sources, write_config

SEED_TITLE = "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"


@pytest.fixture(scope="module")
def crawled(mocksite, tmp_path_factory):
    folder = tmp_path_factory.mktemp("crawl")
    config = write_config(folder, sample_sources(mocksite))
    mocksite.reset()
    first = run_cli("crawl", config=config)
    logs_first = {
        name: mocksite.log(name) for name in ("bjgov", "bjgbk", "govcn", "pbc", "eastmoney", "finews")
    }
    mocksite.reset()
    rows_after_first = articles_json(config)
    second = run_cli("crawl", config=config)
    logs_second = {
        name: mocksite.log(name) for name in ("bjgov", "bjgbk", "govcn", "pbc", "eastmoney", "finews")
    }
    return {
        "config": config,
        "first": first,
        "second": second,
        "logs_first": logs_first,
        "logs_second": logs_second,
        "articles": rows_after_first,
    }


def _report(stdout: str) -> dict[str, dict[str, int]]:
    lines = [line.split() for line in stdout.splitlines() if line and not line.startswith(" ")]
    header, rows = lines[0], lines[1:]
    assert header == ["source", "requests", "new", "updated", "skipped", "errors"]
    return {r[0]: dict(zip(header[1:], map(int, r[1:]), strict=True)) for r in rows}


def test_first_crawl_stores_every_article_once(crawled, mocksite):
    assert crawled["first"].returncode == 0, crawled["first"].stderr
    arts = crawled["articles"]
    urls = [a["url"] for a in arts]
    assert len(urls) == len(set(urls))
    report = _report(crawled["first"].stdout)
    by_source = {}
    for a in arts:
        by_source.setdefault(a["source"], 0)
        by_source[a["source"]] += 1
    # 13 readable yaowen items (seed notice, 8 news, old template, undated, redesigned page) minus none
    assert by_source["bj-yaowen"] == 12
    assert by_source["bj-zhengce"] == 1
    assert by_source["bj-gbk"] == 3
    assert sum(a["url"].endswith("/NW202202112273872039.html") for a in arts) == 1
    assert report["bj-yaowen"]["new"] == 12
    assert sum(r["new"] for r in report.values()) == len(arts)
    # every eastmoney list item across both list pages was stored
    listed = {
        e["path"] for e in crawled["logs_first"]["eastmoney"] if re.fullmatch(r"/a/\d{18}\.html", e["path"])
    }
    stored = {a["url"].split(mocksite["eastmoney"])[1] for a in arts if a["source"] == "eastmoney"}
    assert listed == stored and len(stored) > 20


def _stored(articles: list[dict]) -> tuple[dict, set]:
    """What a crawl stored, free of ids and fetch times: the articles by URL, and the stories as
    sets of URLs (story ids depend on the order articles arrived in)."""
    # `source` too: a post two sources list is stored once, under whichever source reached it first
    skip = {"id", "fetched_at", "story", "source"}
    by_url = {a["url"]: {k: v for k, v in a.items() if k not in skip} for a in articles}
    stories: dict[int, set[str]] = {}
    for a in articles:
        stories.setdefault(a["story"], set()).add(a["url"])
    return by_url, {frozenset(urls) for urls in stories.values()}


def test_crawl_without_ingest_worker_stores_the_same(crawled, mocksite, tmp_path):
    """`ingest_worker = false` stores in the crawl process itself: the same articles, matches and stories."""
    config = write_config(tmp_path, sample_sources(mocksite), crawl="ingest_worker = false\n")
    mocksite.reset()
    run = run_cli("crawl", config=config)
    assert run.returncode == 0, run.stderr
    totals = [
        {k: sum(r[k] for r in _report(out).values()) for k in ("new", "updated", "errors")}
        for out in (run.stdout, crawled["first"].stdout)
    ]
    assert totals[0] == totals[1]
    in_process, in_worker = _stored(articles_json(config)), _stored(crawled["articles"])
    assert in_process[0].keys() == in_worker[0].keys()
    assert in_process == in_worker
    assert any(a["topics"] for a in in_process[0].values())  # classified too, not only stored


def test_broken_pages_and_dead_source_are_reported_and_skipped(crawled):
    out = crawled["first"].stdout
    report = _report(out)
    assert report["bj-yaowen"]["errors"] == 4  # 404, 500, empty body, robots.txt-forbidden
    assert "t20220204_2611014.html: HTTP 404" in out
    assert "t20220205_2611013.html: HTTP 500" in out
    assert "t20220205_2611012.html: broken page" in out
    assert report["dead"]["errors"] == 1 and report["dead"]["new"] == 0
    assert "Connection was refused" in out
    assert report["eastmoney"]["errors"] == 0


def test_second_crawl_stores_nothing_and_fetches_only_list_pages(crawled):
    assert crawled["second"].returncode == 0, crawled["second"].stderr
    report = _report(crawled["second"].stdout)
    assert all(r["new"] == 0 and r["updated"] == 0 for r in report.values()), report
    for site, log in crawled["logs_second"].items():
        paths = [e["path"] for e in log]
        article_paths = [
            p for p in paths
            if p != "/robots.txt"
            and not p.endswith(("/", "index.html", "cgnjj.html", "cgnjj_2.html", "feed.xml", ".json"))
            and "/category/" not in p and "index_" not in p
        ]  # fmt: skip
        assert article_paths == [], (site, article_paths)
    # the first list page of every column answered 304 Not Modified to the conditional request
    first_pages = [e for e in crawled["logs_second"]["bjgov"] if e["path"] == "/ywdt/yaowen/"]
    assert first_pages and first_pages[0]["status"] in (200, 304)
    # yaowen's first page has broken items, so it keeps no validators and is fetched in full;
    # the pages whose items all stored answer 304.
    statuses = {e["path"]: e["status"] for e in crawled["logs_second"]["finews"]}
    assert statuses["/feed.xml"] == 304
    assert statuses["/category/beijingshirenminzhengfuguanwang.html"] == 304
    statuses = {e["path"]: e["status"] for e in crawled["logs_second"]["bjgov"]}
    assert statuses["/zhengce/zhengcefagui/"] == 304


def test_pagination_stops_at_known_page(crawled):
    # second crawl of yaowen: page 1 lists only known (or failing) items, so index_1/index_2 are not fetched
    paths = [e["path"] for e in crawled["logs_second"]["bjgov"]]
    assert "/ywdt/yaowen/index_1.html" not in paths
    first = [e["path"] for e in crawled["logs_first"]["bjgov"]]
    assert "/ywdt/yaowen/index_1.html" in first and "/ywdt/yaowen/index_2.html" in first


def test_seed_post_fields_from_the_aggregator(crawled):
    [seed] = [a for a in crawled["articles"] if a["url"].endswith("/2022/02/11/NW202202112273872039.html")]
    assert seed["title"] == SEED_TITLE
    assert seed["published_at"] == "2022-02-11T12:47:43+08:00"
    assert seed["origin"] == "北京市人民政府官网"
    assert seed["category"] == "beijingshirenminzhengfuguanwang"
    assert seed["tags"] == ["北京市人民政府官网新闻"]
    assert seed["body"].startswith("《关于推进北京城市副中心高质量发展的实施方案》今天公布")
    for noise in ("K图", "BK0883", "返回", "http://", "文章来源"):
        assert noise not in seed["body"]
    assert seed["extraction"] == "selectors"


def test_gbk_pages_decode_whatever_declares_the_charset(crawled):
    titles = {a["title"] for a in crawled["articles"] if a["source"] == "bj-gbk"}
    assert titles == {
        "市发展改革委部署2022年重点工作",
        "喆园社区开展垃圾分类宣传活动",
        "区财政局公布2021年预算执行情况",
    }
    [meta_only] = [a for a in crawled["articles"] if a["title"] == "喆园社区开展垃圾分类宣传活动"]
    assert "镕铸绿色生活理念" in meta_only["body"]  # GBK-only characters in a page declared gb2312
    assert meta_only["published_at"] == "2022-02-08T15:30:00+08:00"


def test_policy_document_fields(crawled):
    [doc] = [a for a in crawled["articles"] if a["source"] == "bj-zhengce"]
    p = doc["policy"]
    assert p["doc_number"] == "京政发〔2022〕5号"
    assert p["issuer"] == "北京市人民政府"
    assert (p["written_date"], p["published_date"], p["effective_date"]) == (
        "2022-01-05",
        "2022-01-10",
        "2022-01-10",
    )
    assert p["validity"] == "现行有效"
    assert [a["title"] for a in p["attachments"]] == ["北京市“十四五”时期金融业发展规划.pdf", "政策解读.docx"]
    assert p["attachments"][0]["url"].endswith("/zhengce/zhengcefagui/202201/P020220110_规划全文.pdf")


def test_undated_and_redesigned_pages(crawled):
    by_title = {a["title"]: a for a in crawled["articles"]}
    assert by_title["北京市公共文化服务设施名录公布"]["published_at"] is None
    redesigned = by_title["北京市加快推进充电桩建设"]
    assert redesigned["extraction"] == "fallback"
    assert redesigned["body"].startswith("本市今年将新建一批公用充电桩")
    assert "主办：北京市人民政府办公厅" not in redesigned["body"]
    old = by_title["本市持续开展城市环境整治"]
    assert old["published_at"] == "2022-02-07T08:15:00+08:00" and old["origin"] == "首都之窗"


def test_polite_crawling(crawled):
    bj = crawled["logs_first"]["bjgov"]
    assert not any(e["path"].startswith("/private/") for e in bj), "robots.txt was not obeyed"
    assert bj[0]["path"] == "/robots.txt"
    assert all(e["ua"].startswith("newsradar/") for e in bj)


def test_json_listing_contract(crawled):
    a = crawled["articles"][0]
    for key in ("id", "source", "url", "title", "published_at", "origin", "body", "topics", "story"):
        assert key in a
    out = run_cli(
        "articles", "list", "--source", "bj-gbk", "--since", "2022-02-08", "--json", config=crawled["config"]
    )
    titles = sorted(line for line in out.stdout.splitlines())
    assert len(titles) == 2


@pytest.mark.sqlite_only("reads the .db file with sqlite3")
def test_changed_article_is_updated_in_place(fresh_mocksite, tmp_path):
    config = write_config(
        tmp_path, sample_sources(fresh_mocksite, dead=False).split('[[sources]]\nname = "bj-zhengce"')[0]
    )
    assert run_cli("crawl", config=config).returncode == 0
    path = "/ywdt/yaowen/202202/t20220210_2611003.html"
    fresh_mocksite.bump("bjgov", path)
    out = run_cli("crawl", config=config)
    assert _report(out.stdout)["bj-yaowen"]["updated"] == 1, out.stdout
    [art] = [a for a in articles_json(config) if a["url"].endswith(path)]
    assert "本文于次日更新" in art["body"]
    con = sqlite3.connect(tmp_path / "newsradar.db")
    assert con.execute("select count(*) from article_revisions").fetchone()[0] == 1
    assert con.execute("select count(*) from articles where url like ?", (f"%{path}",)).fetchone()[0] == 1


@pytest.mark.sqlite_only("checks no .db file is created")
def test_sources_test_shows_items_without_storing(mocksite, tmp_path):
    config = write_config(tmp_path, sample_sources(mocksite, dead=False))
    out = run_cli("sources", "test", "eastmoney", "--articles", "2", config=config)
    assert out.returncode == 0, out.stderr
    assert SEED_TITLE in out.stdout
    assert "date:   2022-02-11 12:47 北京时间" in out.stdout
    assert "origin: 北京市人民政府官网" in out.stdout
    assert not (tmp_path / "newsradar.db").exists()  # stores nothing, creates no database


@pytest.mark.sqlite_only("reads the .db file with sqlite3")
def test_crawl_stores_topic_matches_with_evidence(crawled):
    by_url = {a["url"]: a for a in crawled["articles"]}
    [seed] = [a for u, a in by_url.items() if u.endswith("/NW202202112273872039.html")]
    assert {"digital_currency", "sub_center"} <= set(seed["topics"])
    con = sqlite3.connect(crawled["config"].parent / "newsradar.db")
    rows = dict(
        con.execute(
            "select topic_id, evidence from topic_matches where article_id = ?", (seed["id"],)
        ).fetchall()
    )
    assert "法定数字货币" in rows["digital_currency"]
    assert "城市副中心" in rows["sub_center"]
    unrelated = [a for a in crawled["articles"] if a["title"] == "市教委部署新学期中小学开学工作"]
    assert unrelated and unrelated[0]["topics"] == []


@pytest.mark.sqlite_only("reads the .db file with sqlite3")
def test_reclassify_updates_without_duplicating(crawled):
    con = sqlite3.connect(crawled["config"].parent / "newsradar.db")
    before = con.execute(
        "select count(*), count(distinct article_id || topic_id) from topic_matches"
    ).fetchone()
    out = run_cli("topics", "reclassify", config=crawled["config"])
    assert out.returncode == 0, out.stderr
    assert f"reclassified {len(crawled['articles'])} articles" in out.stdout
    after = con.execute(
        "select count(*), count(distinct article_id || topic_id) from topic_matches"
    ).fetchone()
    assert after == before and after[0] == after[1] > 0


def test_status_tells_which_sources_are_broken(crawled):
    out = run_cli("status", "--json", config=crawled["config"])
    assert out.returncode == 0, out.stderr
    health = {h["source"]: h for h in json.loads(out.stdout)["sources"]}
    assert health["dead"]["status"] == "failing"
    assert "Connection was refused" in health["dead"]["detail"]
    assert "2 crawls in a row" in health["dead"]["detail"]  # both crawls of the module failed
    assert health["bj-yaowen"]["status"] == "degraded"  # the redesigned page needed generic extraction
    assert health["bj-gbk"]["status"] == "ok" and health["bj-gbk"]["articles"] == 3
    assert health["finews-bjgov"]["last_run"]["unchanged_lists"] == 1  # second crawl: 304
    text = run_cli("status", config=crawled["config"]).stdout
    assert "dead" in text and "FAILING" in text
    # times as everywhere else: Beijing time, zone marked, no seconds or microseconds
    assert re.search(r"crawled \d{4}-\d\d-\d\d \d\d:\d\d 北京时间", text), text
    assert not re.search(r"\d:\d\d:\d\d|\dT\d", text), text


def test_state_council_json_list_and_policy_page(crawled):
    gov = {a["title"]: a for a in crawled["articles"] if a["source"] == "gov-zuixin"}
    assert set(gov) == {
        "国务院关于印发“十四五”数字经济发展规划的通知",
        "国务院常务会议部署进一步做好稳就业工作",
    }
    plan = gov["国务院关于印发“十四五”数字经济发展规划的通知"]
    assert plan["published_at"] == "2022-01-12T17:00:00+08:00"
    assert plan["origin"] == "中国政府网" and plan["category"] == "最新政策"
    assert (
        plan["policy"]["doc_number"] == "国发〔2021〕29号" and plan["policy"]["written_date"] == "2021-12-12"
    )
    assert "digital_currency" not in plan["topics"]  # 数字经济 is not digital currency
    assert gov["国务院常务会议部署进一步做好稳就业工作"]["published_at"] == "2022-02-09T19:30:00+08:00"


def test_generic_source_and_anti_bot_challenge(crawled):
    pbc = {a["title"]: a for a in crawled["articles"] if a["source"] == "pbc-news"}
    # full titles from the list's title attribute, not the cut link text
    assert set(pbc) == {
        "人民银行召开数字人民币研发试点工作座谈会",
        "人民银行印发《金融科技发展规划（2022－2025年）》",
    }
    meeting = pbc["人民银行召开数字人民币研发试点工作座谈会"]
    assert meeting["published_at"] == "2022-01-10T09:30:00+08:00"
    assert meeting["body"].startswith("近日，人民银行召开数字人民币研发试点工作座谈会")
    assert "digital_currency" in meeting["topics"]
    assert "2022010310000099999/index.html: blocked by the site's bot challenge" in crawled["first"].stdout
    assert not any("wzws" in a["body"] for a in crawled["articles"])


def test_split_article_is_stored_whole(crawled):
    [twin] = [a for a in crawled["articles"] if a["url"].endswith("/a/202202112273880001.html")]
    assert twin["body"].startswith("记者从市地方金融监管局获悉")
    assert twin["body"].rstrip().endswith("服务碳达峰碳中和目标。")  # the last paragraph is on page 2
    assert "下一页" not in twin["body"]
    assert not any(a["url"].endswith("_2.html") for a in crawled["articles"])


def test_sample_site_stories_are_grouped_exactly(crawled):
    stories: dict[int, set[str]] = {}
    for a in crawled["articles"]:
        stories.setdefault(a["story"], set()).add(a["url"].split("/", 3)[3])
    seed_copies = {
        "ywdt/yaowen/202202/t20220211_2611111.html",  # the government's own notice
        "a/202202112273872039.html",  # eastmoney's copy with stock widgets and a summary lead
        "beijingshirenminzhengfuguanwang/2022/02/11/NW202202112273872039.html",  # the aggregator, full text
        "emnews/2022/02/11/202202112273872039.html",  # the aggregator, first paragraph only
    }
    groups = sorted(stories.values(), key=len, reverse=True)
    assert groups[0] == seed_copies
    # The aggregator's feed republishes eastmoney rolling news: each such post pairs with the
    # eastmoney article of the same id, and with nothing else.
    pairs = [g for g in groups[1:] if len(g) > 1]
    feed_posts = [a for a in crawled["articles"] if a["source"] == "finews-feed" and "/emnews/20" in a["url"]]
    assert len(pairs) == len([a for a in feed_posts if "202202112273872039" not in a["url"]]) > 5
    for group in pairs:
        em, post = sorted(group)
        assert em.startswith("a/") and post.startswith("emnews/"), group
        assert em[2:-5] == post.rsplit("/", 1)[1][:-5]  # same eastmoney id
    # Everything else stands alone: the near-identical eastmoney title, the shared eastmoney
    # disclaimer and the shared government page furniture merge nothing.
    assert all(len(g) == 1 for g in groups[1 + len(pairs) :])
    [seed] = [a for a in crawled["articles"] if a["url"].endswith("t20220211_2611111.html")]
    shown = run_cli("stories", "show", str(seed["story"]), "--json", config=crawled["config"])
    story = json.loads(shown.stdout)
    assert story["lead"]["url"].endswith("t20220211_2611111.html")  # the official copy leads
