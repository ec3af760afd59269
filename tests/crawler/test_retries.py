"""Failed articles are retried on later crawls with backoff, whatever their list pages do."""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers import MockSiteProcess, articles_json, run_cli, write_config

# The generated site lists 20 articles a page, newest first: this one is on the second list page.
DEEP = "/ywdt/yaowen/202201/t20220101_3000020.html"


@pytest.fixture
def generated():
    site = MockSiteProcess("--generated", "45")
    yield site
    site.stop()


def _fetches(site: MockSiteProcess, path: str) -> int:
    return sum(e["path"] == path for e in site.log("generated"))


@pytest.mark.sqlite_only("reads the .db file with sqlite3")
def test_a_failed_deep_article_is_retried_when_due_though_its_lists_do_not_change(generated, tmp_path):
    sources = f'[[sources]]\nname = "gen"\nkind = "beijing_gov"\nstart_urls = ["{generated["generated"]}/ywdt/yaowen/"]\nmax_pages = 5\n'
    config = write_config(tmp_path, sources)
    generated.fail("generated", DEEP)
    first = run_cli("crawl", config=config)
    assert first.returncode == 0, first.stderr
    assert len(articles_json(config)) == 44
    status = run_cli("status", config=config)
    assert "1 failed article waiting for a retry" in status.stdout, status.stdout

    # The site recovers, but the first list page is unchanged (304): the list walk stops there,
    # and the retry is not due yet (15 minutes after the failure): nothing is fetched.
    generated.fail("generated", DEEP, on=False)
    generated.reset()
    second = run_cli("crawl", config=config)
    assert second.returncode == 0, second.stderr
    assert _fetches(generated, DEEP) == 0
    assert len(articles_json(config)) == 44

    # A quarter of an hour later the retry is due: the article is fetched and stored on its own.
    with sqlite3.connect(tmp_path / "newsradar.db") as db:
        db.execute("update article_retries set next_try_at = '2000-01-01 00:00:00.000000'")
    generated.reset()
    third = run_cli("crawl", config=config)
    assert third.returncode == 0, third.stderr
    assert _fetches(generated, DEEP) == 1
    assert [e["status"] for e in generated.log("generated") if e["path"] == "/ywdt/yaowen/"] == [304]
    stored = articles_json(config)
    assert len(stored) == 45
    assert any(a["url"].endswith(DEEP) and a["title"].startswith("北京市政务信息第20号") for a in stored)
    assert "waiting for a retry" not in run_cli("status", config=config).stdout
    with sqlite3.connect(tmp_path / "newsradar.db") as db:
        assert db.execute("select count(*) from article_retries").fetchone() == (0,)
