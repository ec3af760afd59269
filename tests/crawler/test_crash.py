"""A crawl killed with SIGKILL loses nothing: the next crawl stores exactly what is missing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.helpers import MockSiteProcess, run_cli, write_config


@pytest.mark.sqlite_only("reads the .db file with sqlite3")
def test_sigkill_mid_crawl_then_crawl_again(tmp_path):
    site = MockSiteProcess("--generated", "300")
    try:
        config = write_config(
            tmp_path,
            f'[[sources]]\nname = "big"\nkind = "beijing_gov"\n'
            f'start_urls = ["{site["generated"]}/ywdt/yaowen/"]\nmax_pages = 100\n',
        )
        db = tmp_path / "newsradar.db"
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsradar", "--config", str(config), "crawl"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        stored = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and stored < 40:
            time.sleep(0.2)
            if db.exists():
                try:
                    stored = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
                except sqlite3.OperationalError:
                    pass  # schema not created yet
        os.killpg(proc.pid, signal.SIGKILL)  # the crawl and its ingest worker, mid-flight
        proc.wait(10)
        assert 40 <= stored < 300, "the crawl was not interrupted mid-way"

        again = run_cli("crawl", config=config)
        assert again.returncode == 0, again.stderr
        con = sqlite3.connect(db)
        total, distinct = con.execute("select count(*), count(distinct url) from articles").fetchone()
        assert total == distinct == 300
        # every stored article kept its story and matches consistent: no orphans from the kill
        assert con.execute("select count(*) from articles where story_id is null").fetchone()[0] == 0
    finally:
        site.stop()


@pytest.mark.sqlite_only("reads the .db file with sqlite3")
def test_a_crawl_stopped_half_way_records_no_health_verdict(tmp_path):
    """Ctrl-C (or the daemon's SIGINT on shutdown) ends the crawl cleanly; its half-done figures
    are not a verdict on the site, so no crawl_runs row is written and status stays as it was."""
    site = MockSiteProcess("--generated", "300")
    try:
        config = write_config(
            tmp_path,
            f'[[sources]]\nname = "big"\nkind = "beijing_gov"\n'
            f'start_urls = ["{site["generated"]}/ywdt/yaowen/"]\nmax_pages = 100\n',
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsradar", "--config", str(config), "crawl"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(site.log("generated")) < 30:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        con = sqlite3.connect(tmp_path / "newsradar.db")
        assert con.execute("select count(*) from articles").fetchone()[0] < 300, "not interrupted mid-way"
        assert con.execute("select count(*) from crawl_runs").fetchone() == (0,)
        assert "never crawled" in run_cli("status", config=config).stdout
    finally:
        site.stop()


@pytest.mark.sqlite_only("reads the .db file with sqlite3")
def test_a_crawl_stopped_half_way_loses_nothing_the_next_crawl_stores_the_rest(tmp_path):
    """Ctrl-C (the daemon's SIGINT when it stops or loses its lead) mid-crawl: the list pages it
    read keep no validators for articles not stored yet, so the next crawl reads them again rather
    than getting 304 and never fetching those articles (found by bench/faults on PostgreSQL)."""
    site = MockSiteProcess("--generated", "300")
    try:
        config = write_config(
            tmp_path,
            f'[[sources]]\nname = "big"\nkind = "beijing_gov"\n'
            f'start_urls = ["{site["generated"]}/ywdt/yaowen/"]\nmax_pages = 100\n',
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsradar", "--config", str(config), "crawl"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(site.log("generated")) < 30:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
        con = sqlite3.connect(tmp_path / "newsradar.db")
        assert con.execute("select count(*) from articles").fetchone()[0] < 300, "not interrupted mid-way"
        again = run_cli("crawl", config=config)
        assert again.returncode == 0, again.stderr
        assert con.execute("select count(*), count(distinct url) from articles").fetchone() == (300, 300), (
            again.stdout + again.stderr[-2000:]
        )
    finally:
        site.stop()
