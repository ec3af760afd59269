"""`newsradar sources add URL`: the real command line against the loopback sample sites."""

from __future__ import annotations

import re

import pytest

from newsradar.config import load
from tests.helpers import articles_json, run_cli, write_config
from tests.mockserver.content import SEED_GOV_TITLE
from tests.mockserver.sites.unknown import DL_NEWS, TABLE_NOTICES

COMMENTED = """
# My sources: this comment must survive `sources add --write`.
[[sources]]
name = "finews-feed"   # the aggregator's Atom feed
kind = "feed"
start_urls = ["{finews}/feed.xml"]
every = "5m"           # often: it is fast news
"""


def _config(tmp_path, mocksite, body: str = ""):
    return write_config(tmp_path, body.format(finews=mocksite["finews"]))


@pytest.mark.parametrize(
    ("site", "path", "kind", "first_title"),
    [
        ("bjgov", "/ywdt/yaowen/", "beijing_gov", SEED_GOV_TITLE),
        ("bjgbk", "/col/index.html", "beijing_gov", "市发展改革委部署2022年重点工作"),
        ("govcn", "/zhengce/zuixin/ZUIXINZHENGCE.json", "gov_cn", "国务院关于印发“十四五”数字经济发展规划的通知"),
        ("eastmoney", "/a/cgnjj.html", "eastmoney", "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"),
        ("finews", "/category/beijingshirenminzhengfuguanwang.html", "jekyll",
         "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"),
        ("finews", "/feed.xml", "feed", "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"),
    ],
)  # fmt: skip
def test_each_known_kind_is_proposed_and_tried(tmp_path, mocksite, site, path, kind, first_title):
    cfg = _config(tmp_path, mocksite)
    out = run_cli("sources", "add", mocksite[site] + path, "--articles", "0", config=cfg)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"recognised as a page of kind {kind}" in out.stdout
    assert f'kind = "{kind}"\nstart_urls = ["{mocksite[site] + path}"]' in out.stdout
    assert re.search(r": \d+ items? on the first list page \(\d+ requests?, 0 errors\)", out.stdout)
    assert f"  1. {first_title}\n" in out.stdout
    assert "not written: run again with --write" in out.stdout


def test_a_page_announcing_a_feed_proposes_the_feed(tmp_path, mocksite):
    base = mocksite["unknown"]
    out = run_cli(
        "sources", "add", f"{base}/blog/index.html", "--articles", "0", config=_config(tmp_path, mocksite)
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert f'kind = "feed"\nstart_urls = ["{base}/blog/rss.xml"]' in out.stdout
    assert "  1. 数字人民币试点场景观察\n" in out.stdout
    assert "     listed: Tue, 01 Dec 2026 08:00:00 +0800\n" in out.stdout


def _listed(out: str) -> list[tuple[str, str]]:
    return re.findall(r"^ +\d+\. (.+)\n +url: .+\n +listed: (.+)$", out, flags=re.M)


def test_a_dl_list_is_inferred_written_and_then_tested(tmp_path, mocksite):
    base = mocksite["unknown"]
    cfg = _config(tmp_path, mocksite)
    out = run_cli("sources", "add", f"{base}/news/index.html", "--write", "--articles", "1", config=cfg)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'name = "127.0.0.1-news"\nkind = "generic"' in out.stdout
    assert _listed(out.stdout) == [(t, d) for _, t, d, _, _ in DL_NEWS]
    assert "     date:   2026-12-01 09:30 北京时间\n" in out.stdout  # the article, read by trafilatura
    assert f"added source '127.0.0.1-news' to {cfg}" in out.stdout
    again = run_cli("sources", "test", "127.0.0.1-news", "--articles", "4", config=cfg)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _listed(again.stdout) == [(t, d) for _, t, d, _, _ in DL_NEWS]
    dates = re.findall(r"^ +date: +(.+)$", again.stdout, flags=re.M)
    assert dates == [f"{when} 北京时间" for _, _, _, when, _ in DL_NEWS]


def test_a_table_list_is_inferred_and_its_articles_stored_with_dates(tmp_path, mocksite):
    base = mocksite["unknown"]
    cfg = _config(tmp_path, mocksite)
    out = run_cli(
        "sources", "add", f"{base}/gg/list.html", "--name", "gg", "--write", "--articles", "0", config=cfg
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert _listed(out.stdout) == [(t, d) for _, t, d, _ in TABLE_NOTICES]  # full titles, not the cut text
    assert 'title = "td.bt > a::attr(title)"' in out.stdout
    crawl = run_cli("crawl", config=cfg)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    stored = {a["url"]: a for a in articles_json(cfg)}
    first = stored[f"{base}/gg/c/20261202_01.html"]
    assert first["title"] == TABLE_NOTICES[0][1]
    assert first["published_at"] == "2026-12-02T09:00:00+08:00"
    assert first["body"].startswith("为推动中小企业数字化转型，现开展2026年度专项资金申报工作")
    assert len(stored) == 3


def test_write_keeps_comments_and_refuses_duplicates(tmp_path, mocksite):
    base = mocksite["unknown"]
    cfg = _config(tmp_path, mocksite, COMMENTED)
    before = cfg.read_text(encoding="utf-8")
    out = run_cli(
        "sources",
        "add",
        f"{base}/blog/index.html",
        "--name",
        "blog",
        "--write",
        "--articles",
        "0",
        config=cfg,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    after = cfg.read_text(encoding="utf-8")
    assert after.startswith(before)  # every comment, blank line and alignment as it was
    assert (
        after[len(before) :]
        == f'\n[[sources]]\nname = "blog"\nkind = "feed"\nstart_urls = ["{base}/blog/rss.xml"]\n'
    )
    config = load(cfg)
    assert [(s.name, s.kind, s.every) for s in config.sources] == [
        ("finews-feed", "feed", 300),
        ("blog", "feed", 600),
    ]
    for args, problem in [
        ((f"{base}/gg/list.html", "--name", "blog"), "a source named 'blog' already exists (choose another with --name)"),
        ((f"{mocksite['finews']}/feed.xml",), f"source 'finews-feed' already watches {mocksite['finews']}/feed.xml"),
    ]:  # fmt: skip
        dup = run_cli("sources", "add", *args, "--write", "--articles", "0", config=cfg)
        assert dup.returncode == 1
        assert f"not written: {problem}\n" in dup.stdout
        assert cfg.read_text(encoding="utf-8") == after


def test_a_page_without_a_list_shows_the_template(tmp_path, mocksite):
    cfg = _config(tmp_path, mocksite)
    before = cfg.read_text(encoding="utf-8")
    out = run_cli("sources", "add", mocksite["unknown"] + "/about.html", "--write", config=cfg)
    assert out.returncode == 1
    assert "no repeated block of links with dates found on the page" in out.stdout
    assert "nothing reliable to watch was inferred; fill in this template" in out.stdout
    assert 'name = "127.0.0.1-about"\nkind = "generic"\n' in out.stdout
    assert 'list_item = "ul.news > li"' in out.stdout
    assert cfg.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("{dead}/news/", r"newsradar: cannot reach http://127\.0\.0\.1:\d+/news/: Connection refused"),
        (
            "{unknown}/missing.html",
            r"newsradar: http://127\.0\.0\.1:\d+/missing\.html answered HTTP 404 Not Found",
        ),
        ("ftp://example.cn/", r"newsradar: 'ftp://example\.cn/' is not an http\(s\) URL"),
    ],
)
def test_unreachable_urls_fail_in_one_line(tmp_path, mocksite, url, message):
    target = url.format(dead=mocksite["dead"], unknown=mocksite["unknown"])
    out = run_cli("sources", "add", target, config=_config(tmp_path, mocksite))
    assert out.returncode == 1
    assert re.fullmatch(message + "\n", out.stderr)
    assert out.stdout == ""


def test_the_entry_goes_after_the_last_source_not_at_the_end(tmp_path):
    from newsradar.config_write import append_source

    cfg = tmp_path / "newsradar.toml"
    head = (
        '[[sources]]\nname = "a"\nkind = "generic"\nstart_urls = ["http://a.example/"]\n'
        '[sources.selectors]\nlist_item = "ul > li"   # mine\n'
    )
    tail = "\n# crawl politely\n[crawl]\ndelay = 2.0  # seconds\n"
    cfg.write_text(head + tail, encoding="utf-8")
    entry = {"name": "b", "kind": "feed", "start_urls": ["http://b.example/feed.xml"]}
    append_source(cfg, entry)
    text = cfg.read_text(encoding="utf-8")
    assert (
        text
        == head
        + '\n[[sources]]\nname = "b"\nkind = "feed"\nstart_urls = ["http://b.example/feed.xml"]\n'
        + tail
    )
    config = load(cfg)
    assert [s.name for s in config.sources] == ["a", "b"]
    assert config.crawl.delay == 2.0
