"""Fingerprints are stored: a new process on the same database finds duplicates without rebuilding."""

from __future__ import annotations

from processor import _winnow
from processor import stories as story_policy
from storage import Database
from tests.helpers import fresh_database_url

from .util import EM_SHORT, GOV_FULL, add, body


def test_new_database_object_finds_stored_duplicates(tmp_path, monkeypatch):
    url = fresh_database_url(tmp_path, "t.db")
    first = Database(url)
    first.migrate()
    with first.session() as s:
        gov = add(s, GOV_FULL, tier=0)
        other = add(s, body(range(70, 100)))
    first.dispose()

    calls = []
    real = _winnow.normalised_codes
    monkeypatch.setattr(_winnow, "normalised_codes", lambda text: calls.append(text) or real(text))
    second = Database(url)
    second.migrate()
    with second.session() as s:
        short = add(s, EM_SHORT)
        copy = add(s, "【转载】" + body(range(70, 100)))
    second.dispose()
    assert short.story_id == gov.story_id
    assert copy.story_id == other.story_id
    assert calls == [EM_SHORT, "【转载】" + body(range(70, 100))]  # only the new articles were hashed
    assert gov.story_id != other.story_id


def test_rollback_discards_fingerprints_and_story(db):
    from sqlalchemy import func, select

    from storage import Article, Fingerprint, FingerprintCount, Story

    with db.session() as s:
        article = Article(source="s", url="https://x/1", canonical_url="https://x/1", content_hash="h")
        article.body_text = body(range(70, 100))
        s.add(article)
        s.flush()
        story_policy.assign(s, article)
        assert s.scalar(select(func.count()).select_from(Fingerprint)) > 0
        s.rollback()
    with db.session() as s:
        for model in (Article, Fingerprint, FingerprintCount, Story):
            assert s.scalar(select(func.count()).select_from(model)) == 0
