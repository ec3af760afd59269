"""The per-topic counters (storage.topic_counts: stories per day, copies per source, the total)
stay exactly what counting the stored stories gives, through the real ingest path: a story gaining
topics, copies joining it, a lead change moving its day, an updated copy moving day and source, an
undated story, a reclassification adding and removing matches; and migration 0021 fills them
from an archive to the same figures. The topic page, the API and MCP read them
(storage.archive.daily_counts, source_counts, list_story_page's total)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from alembic import command
from sqlalchemy import func, select, text

from classifier import Match
from processor import Ingestor
from storage import Article, Story, StoryTopic, TopicDay, TopicSource
from storage.archive import TOTAL_CAP, StoryFilter, daily_counts, list_story_page, source_counts
from storage.db import alembic_config

from .util import T0, add, body, minutes

TEXT, OTHER, THIRD = body(range(80, 100)), body(range(120, 140)), body(range(150, 170))
TOPICS = ("fin", "green", "sub")


def _straight(session) -> tuple[Counter, Counter]:
    """(topic, Beijing day) -> stories and (topic, source) -> copies, counted from the stories."""
    if session.get_bind().dialect.name == "sqlite":
        day = func.date(Story.sort_at, "+8 hours")
    else:
        day = func.date(Story.sort_at + text("interval '8 hours'"))
    days = session.execute(
        select(StoryTopic.topic_id, day, func.count())
        .join(Story, Story.id == StoryTopic.story_id)
        .where(Story.sort_at.is_not(None))
        .group_by(StoryTopic.topic_id, day)
    )
    sources = session.execute(
        select(StoryTopic.topic_id, Article.source, func.count())
        .join(Article, Article.story_id == StoryTopic.story_id)
        .group_by(StoryTopic.topic_id, Article.source)
    )
    return (
        Counter({(t, date.fromisoformat(str(d))): n for t, d, n in days}),
        Counter({(t, s): n for t, s, n in sources}),
    )


def _kept(session) -> tuple[Counter, Counter]:
    days = session.execute(select(TopicDay.topic_id, TopicDay.day, TopicDay.stories))
    sources = session.execute(select(TopicSource.topic_id, TopicSource.source, TopicSource.articles))
    return Counter({(t, d): n for t, d, n in days}), Counter({(t, s): n for t, s, n in sources})


def _check(session) -> tuple[Counter, Counter]:
    """The counters equal the straight counts, and so do the figures the pages read from them."""
    session.expire_all()
    days, sources = _straight(session)
    assert _kept(session) == (days, sources)
    assert all(n > 0 for n in [*days.values(), *sources.values()])  # no rows left at zero
    kept = session.execute(
        select(StoryTopic.sort_at, Story.sort_at).join(Story, Story.id == StoryTopic.story_id)
    )
    assert all(mine == story for mine, story in kept)  # story_topics' copy of sort_at lists the topic
    for topic in TOPICS:
        per_day = {d: n for (t, d), n in days.items() if t == topic}
        latest = max(per_day, default=date(2022, 2, 20))
        series = daily_counts(session, topic, days=30, today=latest + timedelta(days=3))
        first = latest + timedelta(days=3 - 29)
        assert series == [(first + timedelta(i), per_day.get(first + timedelta(i), 0)) for i in range(30)]
        end = latest if per_day else date(2100, 1, 1)  # an old archive: the window ends on its latest day
        assert daily_counts(session, topic, days=7, today=date(2100, 1, 1))[-1] == (end, per_day.get(end, 0))
        expected = sorted(
            ((s, n) for (t, s), n in sources.items() if t == topic), key=lambda r: (-r[1], r[0])
        )
        assert source_counts(session, topic) == expected
        newest = session.scalars(
            select(Story.id)
            .join(StoryTopic, (StoryTopic.story_id == Story.id) & (StoryTopic.topic_id == topic))
            .order_by(Story.sort_at.desc(), Story.id.desc())
        )
        assert [r["id"] for r in list_story_page(session, StoryFilter(topic=topic), limit=50)[0]] == list(
            newest
        )
        total = sum(per_day.values())
        assert list_story_page(session, StoryFilter(topic=topic))[1] == min(total, TOTAL_CAP + 1)
        # the same total counted over the stories (a filter the counters do not answer)
        since = StoryFilter(topic=topic, since=datetime(2000, 1, 1, tzinfo=UTC))
        assert list_story_page(session, since)[1] == total
    return days, sources


def _beijing(at: datetime) -> date:
    return (at + timedelta(hours=8)).date()


def test_counters_follow_every_write_that_changes_them(session, monkeypatch):
    a = add(session, TEXT, title="A", topics=("fin",))
    days, sources = _check(session)
    assert days == {("fin", _beijing(T0)): 1} and sources == {("fin", "eastmoney"): 1}

    # a copy from another source joins and brings a topic the story lacked
    b_url = "https://example.org/topic-counts-b"
    b = add(session, TEXT + "（转载）", title="B", source="sina", tier=2, published_at=minutes(30),
            url=b_url, topics=("fin", "green"))  # fmt: skip
    assert b.story_id == a.story_id and b.new_topics == ["green"]
    days, sources = _check(session)
    assert sources[("fin", "sina")] == sources[("green", "eastmoney")] == 1

    # an official copy published the evening before leads: the story moves to the day before
    c = add(session, "【快讯】" + TEXT, title="C", source="gov", tier=0, published_at=minutes(-13 * 60))
    assert c.story_id == a.story_id
    assert session.get(Story, a.story_id).lead_article_id == c.article_id
    days, sources = _check(session)
    assert days == {("fin", date(2022, 2, 10)): 1, ("green", date(2022, 2, 10)): 1}
    assert sources[("fin", "gov")] == 1

    # the copy from sina is updated: now dated two days earlier and filed under another source
    again = add(session, TEXT + "（转载，更新）", title="B", source="sina-finance", tier=2,
                published_at=minutes(-2 * 24 * 60), url=b_url, topics=("fin", "green"))  # fmt: skip
    assert again.status == "updated" and again.story_id == a.story_id
    days, sources = _check(session)
    assert days == {("fin", date(2022, 2, 9)): 1, ("green", date(2022, 2, 9)): 1}
    assert ("fin", "sina") not in sources and sources[("fin", "sina-finance")] == 1

    # stories of their own: no topic yet, an undated one, one each side of Beijing midnight
    d = add(session, OTHER, title="D", published_at=minutes(24 * 60))
    add(session, THIRD, title="E", published_at=None, topics=("fin",))
    add(
        session,
        body(range(170, 190)),
        title="G",
        published_at=datetime(2022, 2, 11, 16, tzinfo=UTC),
        topics=("green",),
    )
    add(session, body(range(190, 200), sep="，"), title="H", published_at=datetime(2022, 2, 11, 15, 59, 59, tzinfo=UTC),
        topics=("green",))  # fmt: skip
    days, _ = _check(session)
    assert days[("green", date(2022, 2, 12))] == days[("green", date(2022, 2, 11))] == 1

    # reclassified: D gains a topic, A loses its match (the story keeps the topic, as before)
    wanted = {"D": ("sub",), "A": (), "B": ("fin", "green"), "E": ("fin",), "G": ("green",), "H": ("green",)}

    def matcher(title: str, _text: str) -> list[Match]:
        return [Match(t, 1.0, {t: 1}, "", (), "h") for t in wanted.get(title, ())]

    stats = Ingestor(matcher).reclassify(session)
    assert stats["added"] == 1 and stats["removed"] == 1
    days, sources = _check(session)
    assert days[("sub", _beijing(minutes(24 * 60)))] == 1 and sources[("sub", "eastmoney")] == 1

    # a copy of D joins after the reclassification: counted under D's new topic
    f = add(session, OTHER + "（来源：人民网）", title="F", source="people", published_at=minutes(25 * 60))
    assert f.story_id == d.story_id
    _, sources = _check(session)
    assert sources[("sub", "people")] == 1

    # past the cap the total is a lower bound, as counted over the stories
    monkeypatch.setattr("storage.archive.TOTAL_CAP", 1)
    assert list_story_page(session, StoryFilter(topic="green"))[1] == 2


def test_migration_0021_fills_the_counters_from_the_stories(db, session):
    url = db.engine.url.render_as_string(hide_password=False)
    a = add(session, TEXT, title="A", topics=("fin",))
    add(session, TEXT + "（转载）", title="B", source="sina", published_at=minutes(30), topics=("green",))
    add(session, "【快讯】" + TEXT, title="C", source="gov", tier=0, published_at=minutes(-13 * 60))
    add(session, OTHER, title="D", published_at=None, topics=("fin", "sub"))
    kept = _check(session)
    assert kept[0][("fin", date(2022, 2, 10))] == 1 and a.story_id is not None
    session.close()
    command.downgrade(alembic_config(url), "0020")
    command.upgrade(alembic_config(url), "head")
    assert _check(session) == kept
