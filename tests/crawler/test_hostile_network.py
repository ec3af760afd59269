"""A watched site that tries to reach the private network through the crawler, or to exhaust it.

The internal service listens on 127.0.0.2, a loopback host no source names; the lure site on
127.0.0.1 points at it by 302 redirect, meta refresh, plain link, feed entry and host name, and
serves a page far over the size cap. Nothing of the internal service may be stored, it must not
even be contacted, and every refusal and skipped page is counted and shown.
NEWSRADAR_TEST_BIG_PAGE_MB sets the big page's size (default 24: over the 10 MB cap, and quick).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT, articles_json, run_cli, write_config
from tests.mockserver.hostile_net import SECRET, Internal, Lure

BIG = int(float(os.environ.get("NEWSRADAR_TEST_BIG_PAGE_MB", "24")) * 1_000_000)
SELECTORS = '[sources.selectors]\nlist_item = "ul.news li"\narticle_title = "h1"\narticle_body = "#content"\n'


@pytest.fixture(scope="module")
def net():
    internal = Internal("127.0.0.2")
    lure = Lure(internal.base, BIG)
    yield lure, internal
    lure.stop()
    internal.stop()


def _sources(lure: Lure, allowed: str = "") -> str:
    return (
        f'[[sources]]\nname = "lure"\nkind = "generic"\nstart_urls = ["{lure.base}/news/index.html"]\n{allowed}'
        f"{SELECTORS}\n"
        f'[[sources]]\nname = "lure-feed"\nkind = "feed"\nstart_urls = ["{lure.base}/feed.xml"]\n{allowed}'
    )


@pytest.fixture(scope="module")
def crawled(net, tmp_path_factory):
    lure, internal = net
    moved = f'[[sources]]\nname = "lure-moved"\nkind = "feed"\nstart_urls = ["{lure.base}/news/moved.html"]\n'
    config = write_config(tmp_path_factory.mktemp("lured"), _sources(lure) + moved)
    lure.log.clear()
    internal.log.clear()
    out = run_cli("crawl", config=config)
    return {"config": config, "out": out, "internal_log": list(internal.log), "lure_log": list(lure.log)}


def test_nothing_of_the_internal_service_is_fetched_or_stored(crawled, net):
    assert crawled["out"].returncode == 0, crawled["out"].stderr
    assert crawled["internal_log"] == []  # not even contacted: refused before connecting
    stored = articles_json(crawled["config"])
    assert [a["url"] for a in stored] == [f"{net[0].base}/news/ok.html"]
    assert not any(SECRET in (a["title"] + a.get("body_text", "")) for a in stored)


def test_refusals_and_the_big_page_are_counted_in_the_summary(crawled, net):
    lure, internal = net
    out = crawled["out"].stdout
    # redirect, meta refresh, direct link, a host name (localhost) resolving to loopback, file:
    assert "  lure: 5 links to private addresses refused, 2 pages over max_page_size skipped\n" in out
    assert "  lure-feed: 1 link to private addresses refused\n" in out
    assert (
        f"{lure.base}/news/moved.html (led to {internal.base}/internal/moved): refused: 127.0.0.2 is a "
        "loopback address (not one of the source's own hosts)"
    ) in out
    assert f"{lure.base}/news/refresh.html (led to {internal.base}/internal/refresh): refused" in out
    assert re.search(r"http://localhost:\d+/news/ok2\.html: refused: localhost resolves to 127\.0\.0\.1", out)
    assert "file:///etc/passwd: refused: file: URLs are never fetched (only http and https)" in out
    assert f"{lure.base}/news/big.html: skipped: larger than max_page_size (10 MB)" in out
    assert f"{lure.base}/news/bomb.html: skipped: larger than max_page_size (10 MB)" in out  # inflated
    assert crawled["lure_log"].count("/news/big.html") == 1  # not retried: it would be too big again
    assert re.search(r"^lure( +\d+){4} +0$", out, re.M), out  # not errors either


def test_status_shows_the_last_crawls_refusals(crawled):
    out = run_cli("status", config=crawled["config"])
    assert out.returncode == 0, out.stderr
    assert (
        "      last crawl: 5 links to private addresses refused, 2 pages over max_page_size skipped\n"
        in out.stdout
    )
    assert "      last crawl: 1 link to private addresses refused\n" in out.stdout
    data = run_cli("status", "--json", config=crawled["config"]).stdout
    assert '"refused": 5' in data and '"oversized": 2' in data


def test_a_list_page_redirected_to_a_private_address_fails_the_source_with_the_reason(crawled, net):
    lure, internal = net
    out = crawled["out"].stdout
    assert (
        f"  lure-moved: {lure.base}/news/moved.html: refused: 127.0.0.2 is a loopback address (not one of the "
        f"source's own hosts) (led to {internal.base}/internal/moved)\n"
    ) in out
    status = run_cli("status", config=crawled["config"]).stdout
    assert re.search(
        r"lure-moved +FAILING .*\n.*\n +.*moved\.html: refused: 127\.0\.0\.2 is a loopback", status
    ), status


def test_allowed_hosts_lets_a_source_reach_a_private_host_it_names(net, tmp_path):
    """The guard is what stopped it: naming the host in allowed_hosts lets the same pages through."""
    lure, internal = net
    config = write_config(tmp_path, _sources(lure, 'allowed_hosts = ["127.0.0.2"]\n'))
    out = run_cli("crawl", config=config)
    assert out.returncode == 0, out.stderr
    assert "  lure: 2 links to private addresses refused, 2 pages over max_page_size skipped\n" in out.stdout
    stored = {a["url"] for a in articles_json(config)}
    assert f"{internal.base}/internal/direct" in stored
    assert {"/internal/moved", "/internal/refresh", "/internal/direct", "/internal/feed-item"} <= set(
        internal.log
    )


def test_sources_test_shows_what_was_refused(net, tmp_path):
    lure, _ = net
    config = write_config(tmp_path, _sources(lure))
    out = run_cli("sources", "test", "lure-feed", config=config)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "  not fetched: http://127.0.0.2:" in out.stdout and "/internal/feed-item: refused" in out.stdout


def test_sources_add_refuses_a_redirect_into_the_private_network(net, tmp_path):
    lure, internal = net
    internal.log.clear()
    out = run_cli("sources", "add", f"{lure.base}/news/moved.html", config=write_config(tmp_path, ""))
    assert out.returncode == 1
    assert out.stderr == (
        f"newsradar: refused {lure.base}/news/moved.html: 127.0.0.2 is a loopback address (not the host asked for)\n"
    )
    out = run_cli("sources", "add", f"{lure.base}/announces.html", config=write_config(tmp_path, ""))
    assert (
        f"  note: the page announces a feed, but refused {internal.base}/internal/feed: 127.0.0.2"
        in out.stdout
    )
    assert internal.log == []


def test_sources_add_probe_refuses_feed_links_to_private_addresses(net, tmp_path):
    lure, internal = net
    internal.log.clear()
    out = run_cli(
        "sources", "add", f"{lure.base}/feed.xml", "--articles", "2", config=write_config(tmp_path, "")
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert (
        f"  not fetched: {internal.base}/internal/feed-item: refused: 127.0.0.2 is a loopback address"
        in out.stdout
    )
    assert internal.log == []


def test_sources_add_skips_a_page_over_the_cap(net, tmp_path):
    lure, _ = net
    out = run_cli("sources", "add", f"{lure.base}/news/big.html", config=write_config(tmp_path, ""))
    assert out.returncode == 1
    assert (
        out.stderr == f"newsradar: {lure.base}/news/big.html is larger than max_page_size (10 MB): not read\n"
    )


def test_sources_add_gives_up_on_a_drip_feeding_server_at_its_deadline(net, tmp_path):
    lure, _ = net
    started = time.monotonic()
    out = run_cli(
        "sources",
        "add",
        f"{lure.base}/drip.html",
        "--deadline",
        "2",
        config=write_config(tmp_path, ""),
        timeout=120,
    )
    took = time.monotonic() - started
    assert out.returncode == 1
    assert out.stderr == (
        f"newsradar: gave up on {lure.base}/drip.html: no complete answer within the 2s deadline (--deadline)\n"
    )
    assert took < 60, took  # the page takes 600 s to send; start-up under load is the rest


def test_sources_add_gives_up_during_its_trial_crawl_at_the_deadline(net, tmp_path):
    lure, _ = net
    started = time.monotonic()
    out = run_cli(
        "sources",
        "add",
        f"{lure.base}/dripfeed.xml",
        "--deadline",
        "8",
        config=write_config(tmp_path, ""),
        timeout=120,
    )
    took = time.monotonic() - started
    assert "recognised as a page of kind feed" in out.stdout
    assert "note: gave up: the 8s deadline (--deadline) passed while trying it\n" in out.stdout, out.stdout
    assert took < 60, took


PROBE_WITHOUT_GUARD = """
import json, sys
from crawler import CrawlSettings, scrapy_settings
from crawler.run import probe_source
settings = scrapy_settings(CrawlSettings(delay=0, retries=1, retry_backoff=0.01), database_url=None)
settings["DOWNLOADER_MIDDLEWARES"] = {"crawler.middlewares.AddressGuard": None}
source = json.loads(sys.argv[1])
items, report = probe_source(source, settings, articles=10)
print(json.dumps({"refused": report.refused, "notes": report.notes}))
"""


def test_the_resolver_alone_refuses_at_connect_time(net):
    """With the middleware switched off, what is left is the check on the address actually
    connected to (what defeats DNS rebinding): it refuses the same hosts on its own."""
    lure, internal = net
    internal.log.clear()
    source = {"name": "lure", "kind": "generic", "start_urls": [f"{lure.base}/news/index.html"],
              "selectors": {"list_item": "ul.news li", "article_title": "h1", "article_body": "#content"}}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", PROBE_WITHOUT_GUARD, json.dumps(source)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["refused"] == 4, report  # redirect, meta refresh, direct link, localhost
    assert any("localhost resolves to 127.0.0.1, a loopback address" in n for n in report["notes"])
    assert internal.log == []
