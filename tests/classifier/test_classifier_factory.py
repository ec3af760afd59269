"""Topics travel as plain data to processes that never read the config; the matcher built from
them matches exactly as the classifier built from the config does."""

from __future__ import annotations

import json
import pickle

from classifier import Classifier, default_topics, matcher_from_topics, plain_topics, topics_hash
from classifier._topics import topics_from_config

TITLE = "人民银行扩大数字人民币试点"
TEXT = "数字人民币（e-CNY）试点范围扩大，绿色债券发行规模创新高，北京城市副中心通州区推进建设。"


def test_plain_topics_are_plain_and_round_trip():
    topics = default_topics()
    plain = plain_topics(topics)
    # nothing but JSON types: safe in Scrapy settings, a pickle to a spawned process, a Scrapyd job
    assert json.loads(json.dumps(plain, ensure_ascii=False)) == plain
    back = topics_from_config(pickle.loads(pickle.dumps(plain)), include_defaults=False)
    assert back == topics
    assert [topics_hash(t) for t in back] == [topics_hash(t) for t in topics]


def test_matcher_from_topics_matches_like_the_configured_classifier():
    topics = default_topics()
    expected = Classifier(topics).classify(TITLE, TEXT)
    got = matcher_from_topics(plain_topics(topics))(TITLE, TEXT)
    assert got == expected and len(got) >= 2
    hashes = {t.id: topics_hash(t) for t in topics}
    assert all(m.topic_hash == hashes[m.topic_id] for m in got)


def test_matcher_from_topics_adds_no_defaults():
    own = [{"id": "canal", "name": "大运河", "keywords": {"大运河": 3.0}}]
    match = matcher_from_topics(own)
    assert match("", TEXT) == []
    assert [m.topic_id for m in match("大运河", "大运河文化带 大运河 森林公园")] == ["canal"]
