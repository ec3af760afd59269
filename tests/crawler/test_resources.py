"""Per-run crawl state lives on the run (crawler.resources), not in module globals, so a
long-lived process can run crawl after crawl without one run's store or worker leaking into
the next; and the ingest worker's settings are plain data with the topics, no config path."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from classifier import default_topics, plain_topics
from crawler import CrawlSettings, scrapy_settings
from crawler.resources import WORKER_SETTINGS, CrawlResources
from crawler.store import matcher_from_settings
from tests.helpers import ROOT, fresh_database_url


def settings(tmp_path, topics=None) -> dict:
    return scrapy_settings(
        CrawlSettings(user_agent="t", ingest_worker=False),
        database_url=fresh_database_url(tmp_path, "r.db"),
        topics=topics,
    )


def test_one_store_per_run_and_none_left_after_it(tmp_path):
    first = CrawlResources(settings(tmp_path))
    reader = first.reader()
    assert first.reader() is reader  # the crawlers of one run share it (claim() spans sources)
    assert reader.claim("https://x.cn/1") and not reader.claim("https://x.cn/1")
    first.close()
    second = CrawlResources(settings(tmp_path))
    again = second.reader()
    assert again is not reader and again.claim("https://x.cn/1")  # a new run claims afresh
    assert first.reader() is not reader  # a closed run's store is gone
    first.close()
    second.close()


def test_worker_settings_are_plain_data_with_the_topics(tmp_path):
    plain = plain_topics(default_topics())
    shared = CrawlResources(settings(tmp_path, plain))
    assert set(shared.settings) == set(WORKER_SETTINGS)
    assert not any("CONFIG" in k or "MATCHER" in k for k in settings(tmp_path, plain))
    assert pickle.loads(pickle.dumps(shared.settings)) == shared.settings
    match = matcher_from_settings(shared.settings)
    assert [m.topic_id for m in match("数字人民币试点", "数字人民币 e-CNY 试点扩大")] == ["digital_currency"]
    assert matcher_from_settings(settings(tmp_path)) is None  # no topics: nothing is classified


def test_store_classifies_only_with_topics(tmp_path):
    with_topics = CrawlResources(settings(tmp_path, plain_topics(default_topics())))
    without = CrawlResources(settings(tmp_path))
    try:
        assert with_topics.store().ingestor.matcher is not None
        assert without.store().ingestor.matcher is None
        assert with_topics.reader().ingestor.matcher is None  # spiders never build the classifier
    finally:
        with_topics.close()
        without.close()


def test_the_crawl_process_loads_nothing_of_the_ingest_side(tmp_path):
    """The spiders read through a store that never ingests, and the worker's answers unpickle
    from processor.items: the crawl process never loads the search index, stories or the
    classifier's engine (they cost ~0.4 s of its start-up, spent again in the worker)."""
    code = f"""
import pickle, sys
from classifier import default_topics, plain_topics
from crawler import CrawlSettings, scrapy_settings
import crawler.run
from crawler.resources import CrawlResources
from processor.items import IngestResult
settings = scrapy_settings(CrawlSettings(), database_url={fresh_database_url(tmp_path, "c.db")!r},
                           topics=plain_topics(default_topics()))
shared = CrawlResources(settings)
shared.reader().known(["https://x.cn/1"])
pickle.loads(pickle.dumps(IngestResult("new", 1, 1, ["t"])))
shared.close()
print(sorted(m for m in ("processor.ingest", "search", "classifier._engine", "numpy") if m in sys.modules))
"""
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split("\n")[-2] == "[]"
