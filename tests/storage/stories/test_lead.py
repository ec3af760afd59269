"""The lead article: official source first, then earliest published (unknown last), then lowest id."""

from __future__ import annotations

from storage import Story, story_views

from .util import add, body, minutes

TEXT = body(range(40, 60))


def lead(session, story_id):
    return story_views.story_summary(session, story_id)["lead"]["id"]


def test_lower_tier_wins_even_if_later(session):
    portal = add(session, TEXT, tier=1, published_at=minutes(0))
    gov = add(session, TEXT + "（来源：北京市人民政府）", tier=0, published_at=minutes(30))
    assert gov.story_id == portal.story_id
    assert lead(session, gov.story_id) == gov.article_id
    aggregator = add(session, TEXT, tier=2, published_at=minutes(-10))
    assert lead(session, gov.story_id) == gov.article_id
    assert aggregator.story_id == gov.story_id


def test_same_tier_earliest_published_then_unknown_last_then_lowest_id(session):
    undated = add(session, TEXT, tier=1, published_at=None)
    assert lead(session, undated.story_id) == undated.article_id
    late = add(session, TEXT + "责任编辑：李四", tier=1, published_at=minutes(20))
    assert lead(session, late.story_id) == late.article_id  # a known time beats an unknown one
    early = add(session, "【快讯】" + TEXT, tier=1, published_at=minutes(5))
    assert lead(session, early.story_id) == early.article_id
    twin = add(session, TEXT + "。", tier=1, published_at=minutes(5))
    assert lead(session, twin.story_id) == early.article_id  # tie: lowest id
    assert len({undated.story_id, late.story_id, early.story_id, twin.story_id}) == 1


def test_join_touches_updated_at_and_lead_column(session):
    first = add(session, TEXT, tier=2)
    story = session.get(Story, first.story_id)
    before = story.updated_at
    second = add(session, TEXT, tier=0)
    session.expire_all()
    story = session.get(Story, first.story_id)
    assert story.lead_article_id == second.article_id
    assert story.updated_at > before
