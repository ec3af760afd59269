"""kind = "pbc": real crawls of the loopback pbc.gov.cn (two list pages, two article templates,
an attachment) and of a column that answers with the WZWS bot challenge, which is reported as
blocked in `crawl`, `status`, `sources test` and the daemon's source watch, and stores nothing."""

from __future__ import annotations

import json

import pytest
from scrapy.http import HtmlResponse

from crawler.adapters import ADAPTERS
from scheduler.settings import HealthSettings
from scheduler.watch import watch_sources
from storage import Database
from tests.helpers import articles_json, config_database_url, run_cli, write_config
from tests.mockserver.sites.pbc import CHALLENGE_DOC, PBC_BLOCKED_LIST, PBC_LIST, PBC_PAGE2_LIST

MEETING = "人民银行召开数字人民币研发试点工作座谈会"
PLAN = "人民银行印发《金融科技发展规划（2022－2025年）》"
RULES = "中国人民银行关于发布《金融机构客户尽职调查和客户身份资料及交易记录保存管理办法》的公告"


@pytest.fixture(scope="module")
def crawled(mocksite, tmp_path_factory):
    base = mocksite["pbc"]
    config = write_config(
        tmp_path_factory.mktemp("pbc"),
        f'''
[[sources]]
name = "pbc-news"
kind = "pbc"
start_urls = ["{base}{PBC_LIST}"]

[[sources]]
name = "pbc-blocked"
kind = "pbc"
title = "人民银行货币政策司"
start_urls = ["{base}{PBC_BLOCKED_LIST}"]
''',
    )
    mocksite.reset()
    crawl = run_cli("crawl", config=config)
    return {"config": config, "crawl": crawl, "log": mocksite.log("pbc"), "base": base,
            "articles": articles_json(config)}  # fmt: skip


def test_pbc_with_only_start_urls_reads_both_pages_and_templates(crawled):
    assert crawled["crawl"].returncode == 0, crawled["crawl"].stderr
    pbc = {a["title"]: a for a in crawled["articles"] if a["source"] == "pbc-news"}
    assert set(pbc) == {MEETING, PLAN, RULES}  # full titles from `title`, not the cut link text
    meeting, rules = pbc[MEETING], pbc[RULES]
    assert meeting["published_at"] == "2022-01-10T09:30:00+08:00"
    assert pbc[PLAN]["published_at"] == "2022-01-04T09:30:00+08:00"
    assert meeting["origin"] == "中国人民银行" and meeting["extraction"] == "selectors"
    assert meeting["body"].startswith("近日，人民银行召开数字人民币研发试点工作座谈会，总结试点经验")
    assert "digital_currency" in meeting["topics"]
    # page 2 (11040-2.html), the xxy_text template without metas: h2 title, hui12 date and origin
    assert rules["published_at"] == "2021-12-28T16:05:00+08:00" and rules["origin"] == "条法司"
    assert rules["body"].startswith("为规范金融机构客户尽职调查和客户身份资料及交易记录保存行为")
    pdf = f"{crawled['base']}/goutongjiaoliu/113456/113469/2021122816050067890/2021122816050067890_1.pdf"
    assert f'href="{pdf}"' in rules["body_html"]  # absolute, so it opens wherever the body is shown
    assert rules["policy"]["attachments"] == [{"title": "管理办法全文.pdf", "url": pdf}]
    assert "policy" not in meeting


def test_pbc_follows_its_pages_and_skips_file_rows(crawled):
    paths = [e["path"] for e in crawled["log"]]
    assert paths.count(PBC_PAGE2_LIST) == 1
    assert not any(p.endswith(".pdf") for p in paths)  # the file-only row is no article page
    urls = {a["url"] for a in crawled["articles"]}
    assert f"{crawled['base']}/goutongjiaoliu/113456/113469/2021122816050067890/index.html" in urls


def test_challenge_pages_store_nothing_and_say_blocked(crawled):
    out = crawled["crawl"].stdout
    assert f"{CHALLENGE_DOC}/index.html: blocked by the site's bot challenge: the article page" in out
    assert f"{PBC_BLOCKED_LIST}: blocked by the site's bot challenge: the list page" in out
    assert not any(a["source"] == "pbc-blocked" for a in crawled["articles"])
    assert not any(CHALLENGE_DOC in a["url"] or "wzws" in a["body_html"] for a in crawled["articles"])


def test_status_reports_the_blocked_source_in_words(crawled):
    status = run_cli("status", "--json", config=crawled["config"])
    health = {h["source"]: h for h in json.loads(status.stdout)["sources"]}
    blocked = health["pbc-blocked"]
    assert blocked["status"] == "blocked" and blocked["articles"] == 0
    assert blocked["detail"].startswith("blocked by the site's bot challenge: the site answers crawlers")
    assert blocked["last_run"]["blocked"] == 1 and blocked["last_run"]["list_items"] == 0
    news = health["pbc-news"]
    assert news["status"] == "partial" and news["articles"] == 3
    assert (
        news["detail"] == "1 article page was blocked by the site's bot challenge; nothing stored from them"
    )
    text = run_cli("status", config=crawled["config"]).stdout
    line = next(x for x in text.splitlines() if x.strip().startswith("pbc-blocked"))
    assert "BLOCKED" in line and "0 stored" in line
    assert "blocked by the site's bot challenge" in text and "no links" not in text


def test_sources_test_says_blocked_never_zero_items(crawled):
    out = run_cli("sources", "test", "pbc-blocked", config=crawled["config"])
    assert out.returncode == 1
    first = out.stdout.splitlines()[0]
    assert first.startswith("pbc-blocked: blocked by the site's bot challenge: the site shows crawlers")
    assert "0 items" not in out.stdout and "selectors are wrong" not in out.stdout
    good = run_cli("sources", "test", "pbc-news", config=crawled["config"])
    assert good.returncode == 0, good.stdout
    assert good.stdout.startswith("pbc-news: 3 items on the first list page")
    assert f"  1. {MEETING}\n" in good.stdout and "     date:   2022-01-10 09:30" in good.stdout
    assert "1 article page blocked by the site's bot challenge: not stored" in good.stdout


def test_the_daemon_watch_alerts_blocked_at_once(crawled):
    db = Database(config_database_url(crawled["config"]))
    try:
        with db.session() as s:
            changes = watch_sources(
                s,
                {"pbc-blocked": "人民银行货币政策司", "pbc-news": "pbc-news"},
                HealthSettings(failing_after=3),
            )
            s.rollback()
    finally:
        db.dispose()
    [alert] = changes  # one crawl is enough; the readable source raises nothing
    assert alert.source == "pbc-blocked" and alert.problem.kind == "blocked"
    assert alert.subject() == "newsradar: source 人民银行货币政策司 is blocked"
    assert "blocked by the site's bot challenge" in alert.text()


def _page(url: str, html: str) -> HtmlResponse:
    return HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8")


def test_suggest_by_host_or_markup_and_tier():
    pbc = ADAPTERS["pbc"]
    assert pbc.tier == "official"
    assert pbc.suggest(
        _page("https://www.pbc.gov.cn/goutongjiaoliu/113456/113469/index.html", "<p>x</p>")
    ) == {"kind": "pbc"}
    rows = '<table><tr><td><font class="newslist_style"><a href="/a.html" title="标题">标…</a></font></td></tr></table>'
    assert pbc.suggest(_page("https://mirror.example/list.html", rows)) == {"kind": "pbc"}
    assert (
        pbc.suggest(_page("https://www.beijing.gov.cn/ywdt/yaowen/", "<ul class='list'><li>x</li></ul>"))
        is None
    )
