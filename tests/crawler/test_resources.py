"""Per-run crawl state lives on the run (crawler.resources), not in module globals, so a
long-lived process can run crawl after crawl without one run's store or worker leaking into
the next; and the ingest worker's settings are plain data with the topics, no config path."""

from __future__ import annotations

import pickle

from classifier import default_topics, plain_topics
from crawler import CrawlSettings, scrapy_settings
from crawler.resources import WORKER_SETTINGS, CrawlResources
from crawler.store import matcher_from_settings
from tests.helpers import fresh_database_url


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
