"""stories.sort_at, the time the home page lists a story by, stays equal to the time the pages show
for it (the earliest published_at of its copies, else the story's created_at) through creation, a
lead change on a join and a lead's update: a later copy taking the lead does not lift the story."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import Article, Story

from .util import add, body, minutes

TEXT = body(range(80, 100))


def _check(session, story_id: int):
    session.expire_all()
    first = select(func.min(Article.published_at)).where(Article.story_id == story_id).scalar_subquery()
    sort_at, expected = session.execute(
        select(Story.sort_at, func.coalesce(first, Story.created_at)).where(Story.id == story_id)
    ).one()
    assert sort_at is not None and str(sort_at) == str(expected)
    return sort_at


def test_sort_at_follows_the_lead(session):
    undated = add(session, TEXT, published_at=None)
    created = session.get(Story, undated.story_id).created_at
    assert _check(session, undated.story_id) == created  # no date: when the story was made

    dated = add(session, TEXT + "责任编辑：李四", published_at=minutes(30))
    assert dated.story_id == undated.story_id
    assert _check(session, dated.story_id) == minutes(30)  # a dated copy leads

    earlier = add(session, "【快讯】" + TEXT, published_at=minutes(10))
    assert earlier.story_id == undated.story_id
    assert _check(session, earlier.story_id) == minutes(10)

    official = add(session, TEXT + "（来源：北京市人民政府）", tier=0, published_at=minutes(50))
    assert official.story_id == undated.story_id
    assert session.get(Story, official.story_id).lead_article_id == official.article_id  # a lower tier leads
    assert _check(session, official.story_id) == minutes(10)  # but the story keeps its first time


def test_sort_at_follows_an_updated_lead(session):
    url = "https://example.org/lead-updated"
    first = add(session, TEXT, url=url, published_at=minutes(0))
    assert _check(session, first.story_id) == minutes(0)
    again = add(session, TEXT + "（更新）", url=url, published_at=minutes(-60))
    assert again.status == "updated" and again.story_id == first.story_id
    assert _check(session, first.story_id) == minutes(-60)


def test_new_story_sort_at_is_its_publication(session):
    one = add(session, body(range(200, 220)), published_at=minutes(5))
    assert _check(session, one.story_id) == minutes(5)
