"""A changed article keeps its story; its fingerprints are recomputed so later copies match the new text."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from processor import ArticleData, Ingestor
from processor.stories import prints_of
from storage import Fingerprint, FingerprintCount, story_views

from .util import add, body


def data(url, text, tier=1):
    return ArticleData(
        source="s",
        url=url,
        title="t",
        body_text=text,
        tier=tier,
        published_at=datetime(2022, 1, 1, tzinfo=UTC),
    )


def test_changed_article_keeps_story_and_reindexes(session):
    old_text, new_text = body(range(60, 80)), body(range(140, 160))
    first = Ingestor().ingest(session, data("https://a/1", old_text))
    copy = add(session, old_text)
    assert copy.story_id == first.story_id
    again = Ingestor().ingest(session, data("https://a/1", new_text))
    assert again.status == "updated" and again.story_id == first.story_id
    assert session.scalar(select(func.count()).select_from(FingerprintCount)) == 2
    keys = set(session.scalars(select(Fingerprint.hash).where(Fingerprint.article_id == first.article_id)))
    assert keys == set(prints_of(new_text)) and not keys & set(prints_of(old_text))
    # A copy of the new text finds the changed article's story; a copy of the old one finds the copy.
    assert add(session, new_text).story_id == first.story_id
    assert add(session, old_text).story_id == first.story_id


def test_changed_tier_recomputes_lead(session):
    text = body(range(60, 80))
    a = Ingestor().ingest(session, data("https://a/1", text, tier=2))
    b = add(session, text, tier=1)
    assert story_views.story_summary(session, a.story_id)["lead"]["id"] == b.article_id
    Ingestor().ingest(session, data("https://a/1", text + "（更新）", tier=0))
    assert story_views.story_summary(session, a.story_id)["lead"]["id"] == a.article_id
