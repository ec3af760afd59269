"""The taught jieba dictionary is cached on disk: the same topics load it, changed topics build a
new one (and match what they should), and a corrupt file is rebuilt with a log line, not trusted."""

from __future__ import annotations

import logging

import pytest

from classifier import Classifier, topics_from_config
from classifier._cache import CACHE_ENV

TEXT = "碳汇凭证首单落地：本市推进低碳转型，北京绿色交易所挂牌成交的新型碳汇凭证首单落地，碳汇凭证交易活跃。"
BASE = [{"id": "green", "name": "绿色金融", "keywords": {"绿色金融": 2.0}}]
CHANGED = [{"id": "green", "name": "绿色金融", "keywords": {"绿色金融": 2.0, "碳汇凭证": 2.0}}]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    return tmp_path


def _files(folder):
    return sorted(folder.glob("tokenizer-*.pickle"))


def _topics(entries):
    return topics_from_config(entries, include_defaults=False)


def test_same_topics_reuse_the_cache_and_changed_topics_rebuild_it(cache):
    first = Classifier(_topics(BASE))
    assert not first.classify("", TEXT)
    (built,) = _files(cache)
    stamp = built.stat().st_mtime_ns
    again = Classifier(_topics(BASE))
    assert _files(cache) == [built] and built.stat().st_mtime_ns == stamp  # read, not rewritten
    assert again._bounds.tok.FREQ == first._bounds.tok.FREQ
    changed = Classifier(_topics(CHANGED))
    assert len(_files(cache)) == 2  # a new term: a new dictionary, the old one left alone
    assert "碳汇凭证" in changed._bounds.tok.FREQ and "碳汇凭证" not in first._bounds.tok.FREQ
    assert [m.topic_id for m in changed.classify("", TEXT)] == ["green"]


def test_a_corrupt_cache_file_is_logged_and_rebuilt(cache, caplog):
    expected = Classifier(_topics(CHANGED)).classify("", TEXT)
    (path,) = _files(cache)
    path.write_bytes(b"not a pickle at all")
    with caplog.at_level(logging.WARNING, logger="classifier.cache"):
        clf = Classifier(_topics(CHANGED))
    assert any(str(path) in r.getMessage() and "rebuilding" in r.getMessage() for r in caplog.records)
    assert clf.classify("", TEXT) == expected
    Classifier(_topics(CHANGED))  # the rebuilt file is whole again: read without a warning
    assert len([r for r in caplog.records if r.name == "classifier.cache"]) == 1


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    Classifier(_topics(BASE))
    assert not list(tmp_path.rglob("*.pickle"))


def test_normalisation_tables_from_the_cache_equal_the_built_ones(cache):
    from classifier._normalise import _all_tables

    built = _all_tables.__wrapped__()  # no file yet: built and stored
    assert len(list(cache.glob("normalise-*.pickle"))) == 1
    loaded = _all_tables.__wrapped__()
    assert loaded[0] == built[0] and loaded[3] == built[3]
    assert loaded[1].pattern == built[1].pattern and loaded[2].pattern == built[2].pattern
