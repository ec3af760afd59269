"""A redirect loop (A → 302 → B → 302 → A) is a failed article like any other, never a silent drop."""

from __future__ import annotations

import sqlite3
import urllib.request

import pytest
from scrapy.http import Request

from crawler.spider import redirect_failure
from tests.helpers import MockSiteProcess, articles_json, run_cli, write_config

LOOP = "/ywdt/yaowen/202201/t20220101_3000002.html"


@pytest.mark.sqlite_only("reads the .db file with sqlite3")
def test_an_article_in_a_redirect_loop_is_reported_and_kept_for_a_retry(tmp_path):
    site = MockSiteProcess("--generated", "5")
    try:
        base = site["generated"]
        urllib.request.urlopen(f"{base}/__fault?path={LOOP}&kind=redirect_loop").read()
        sources = f'[[sources]]\nname = "gen"\nkind = "beijing_gov"\nstart_urls = ["{base}/ywdt/yaowen/"]\n'
        config = write_config(tmp_path, sources)
        out = run_cli("crawl", config=config)
        hops = [e["path"] for e in site.log("generated") if e["path"] == LOOP]
    finally:
        site.stop()
    assert out.returncode == 0, out.stderr
    said = out.stdout + out.stderr
    loop = f"{base}{LOOP}: redirect loop: {base}{LOOP} → {base}{LOOP}?hop=1 → {base}{LOOP}?hop=0 → {base}{LOOP}?hop=1"
    assert loop in said, said
    assert len(hops) == 3  # the loop is seen on its first repeat, not followed 20 times
    stored = sorted(a["url"] for a in articles_json(config))
    assert len(stored) == 4 and f"{base}{LOOP}" not in stored

    status = run_cli("status", config=config).stdout
    assert "1 failed article waiting for a retry" in status, status
    assert "redirect loop" in status, status
    with sqlite3.connect(tmp_path / "newsradar.db") as db:
        rows = db.execute("select url from article_retries").fetchall()
    assert rows == [(f"{base}{LOOP}",)]


def test_a_chain_past_redirect_max_times_names_its_ends():
    urls = [f"http://a.test/{i}" for i in range(21)]
    request = Request(urls[-1], meta={"redirect_urls": urls[:-1]})
    assert redirect_failure(request, looped=False) == (
        "too many redirects (over 20): http://a.test/0 → http://a.test/1 → … → http://a.test/20"
    )
