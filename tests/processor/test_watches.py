"""Watches through the real ingest: validated like search, one alert per story and subscriber
across topics and watches, filters, pause, the per-subscriber limit, backfill and digests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import search
from processor.digests import plan_digests
from processor.watch_settings import WatchSettings
from processor.watches import (
    WatchError,
    WatchMatcher,
    backfill_watch,
    create_watch,
    edit_watch,
    pause_watch,
    summaries,
)
from storage import Delivery, WatchMatch
from storage.subscribers import remove_subscriber
from tests.notifiers.helpers import article, ingest, make_env
from tests.notifiers.helpers import subscribe as add
from tests.storage.watch_writes import every_watch_write_bumps


@pytest.fixture
def env(tmp_path):
    return make_env(tmp_path)


@pytest.fixture(autouse=True)
def _watch_writes_bump():
    """Every flow here that writes watches (create, edit, pause, backfill, fan-out) bumps the version."""
    with every_watch_write_bumps():
        yield


def _watch(env, sub: int, query: str, **kw):
    with env.db.session() as s:
        w = create_watch(s, sub, query, **kw)
        s.commit()
        return w.id


def _rows(env):
    with env.db.session() as s:
        return s.execute(
            select(
                Delivery.subscriber_id,
                Delivery.story_id,
                Delivery.channel_id,
                Delivery.topics,
                Delivery.watches,
            )
        ).all()


@pytest.mark.parametrize(
    "query",
    ["", "   ", "-通州", '-"数字货币" -央行', "x" * 501, "！？。", "a b c d e f g h i j k l m"],
)
def test_a_query_search_refuses_is_refused_with_searchs_message(env, query):
    sub = add(env, [("console", "a")], [])
    with pytest.raises(search.QueryError) as searched:
        search.parse_query(query)
    with env.db.session() as s, pytest.raises(WatchError) as watched:
        create_watch(s, sub, query)
    assert str(watched.value) == str(searched.value)
    assert (watched.value.zh, watched.value.en) == (searched.value.zh, searched.value.en)
    assert " / " not in searched.value.zh + searched.value.en
    with env.db.session() as s:
        assert summaries(s) == []


def test_one_alert_per_story_and_subscriber_names_topic_and_both_watches(env):
    sub = add(env, [("console", "a"), ("email", "a@example.org")], ["digital_currency"])
    other = add(env, [("console", "b")], [])
    w1 = _watch(env, sub, "数字人民币 试点")
    w2 = _watch(env, sub, '"应用场景"')
    w3 = _watch(env, other, "數字人民幣")  # traditional finds simplified
    _watch(env, other, "数字人民币 -试点")  # excluded: no alert from this one
    ingest(env, [article(1, "digital_currency")])
    rows = _rows(env)
    mine = [r for r in rows if r.subscriber_id == sub]
    assert len(mine) == 2  # one per channel, not one per reason
    assert all(r.topics == ["digital_currency"] and r.watches == [w1, w2] for r in mine)
    [theirs] = [r for r in rows if r.subscriber_id == other]
    assert theirs.topics == [] and theirs.watches == [w3]
    with env.db.session() as s:
        assert {m.watch_id for m in s.scalars(select(WatchMatch))} == {w1, w2, w3}
        counts = {w.id: w.matches_30d for w in summaries(s)}
    assert counts[w1] == counts[w2] == counts[w3] == 1 and sum(counts.values()) == 3


def test_a_later_copy_matching_another_watch_does_not_alert_again(env):
    sub = add(env, [("console", "a")], [])
    _watch(env, sub, "数字人民币")
    first = ingest(env, [article(1, "digital_currency")])[0]
    _watch(env, sub, "应用场景")
    same = article(1, "digital_currency", url="https://other.example/copy.html", source="eastmoney")
    again = ingest(env, [same])[0]
    assert again.story_id == first.story_id
    assert len([r for r in _rows(env) if r.subscriber_id == sub]) == 1


def test_filters_pause_and_mode(env):
    topical = add(env, [("console", "t")], [])
    sourced = add(env, [("console", "s")], [])
    paused = add(env, [("console", "p")], [])
    digest = add(env, [("console", "d")], [], mode="digest")
    _watch(env, topical, "人民银行", topics=["green_finance"])
    _watch(env, sourced, "人民银行", sources=["eastmoney"])
    wp = _watch(env, paused, "人民银行")
    _watch(env, digest, "人民银行")
    with env.db.session() as s:
        pause_watch(s, wp)
        s.commit()
    ingest(env, [article(1, "digital_currency"), article(2, "green_finance", source="eastmoney")])
    by_sub = {}
    for r in _rows(env):
        by_sub.setdefault(r.subscriber_id, []).append(r.story_id)
    assert by_sub[topical] == [2] and by_sub[sourced] == [2]
    assert paused not in by_sub and digest not in by_sub
    with env.db.session() as s:
        [plan] = [
            p for p in plan_digests(s, article(1, "fintech").published_at.date()) if p.subscriber_id == digest
        ]
    assert [sid for sid, _ in plan.items] == sorted(plan.watches, reverse=True) and len(plan.items) == 2


def test_a_watch_alerts_on_stories_stored_from_now_on_and_backfills_once(env):
    ingest(env, [article(n, "fintech") for n in range(1, 5)])
    sub = add(env, [("console", "a")], [])
    wid = _watch(env, sub, "金融科技")
    assert _rows(env) == []
    with env.db.session() as s:
        assert backfill_watch(s, wid, 2) == 2  # one row per story (one channel)
        assert backfill_watch(s, wid, 10) == 2  # the two newer were queued already: only the rest
        assert backfill_watch(s, wid, 10) == 0
        s.commit()
    stories = sorted(r.story_id for r in _rows(env))
    assert len(stories) == 4
    ingest(env, [article(9, "fintech")])
    assert len(_rows(env)) == 5


def test_backfill_takes_the_newest(env):
    ingest(env, [article(n, "fintech") for n in range(1, 5)])
    sub = add(env, [("console", "a")], [])
    with env.db.session() as s:
        create_watch(s, sub, "金融科技", backfill=2)
        s.commit()
    assert sorted(r.story_id for r in _rows(env)) == [3, 4]


def test_the_limit_per_subscriber(env):
    sub = add(env, [("console", "a")], [])
    settings = WatchSettings(max_per_subscriber=2)
    _watch(env, sub, "央行", settings=settings)
    _watch(env, sub, "通州", settings=settings)
    with env.db.session() as s, pytest.raises(WatchError, match="max_per_subscriber"):
        create_watch(s, sub, "副中心", settings=settings)
    with env.db.session() as s, pytest.raises(WatchError, match="no subscriber 99"):
        create_watch(s, 99, "副中心")


def test_the_index_reloads_when_watches_change(env):
    sub = add(env, [("console", "a")], [])
    matcher = WatchMatcher()
    wid = _watch(env, sub, "央行")
    body = "人民银行（央行）发布通知。"
    with env.db.session() as s:
        assert matcher.match(s, "x", "", body, set) == [(wid, sub)]
        assert matcher.refresh(s) is False  # nothing changed: no reload
        edit_watch(s, wid, query="通州")
        s.commit()
        assert matcher.match(s, "x", "", body, set) == []
        pause_watch(s, wid, False)
        edit_watch(s, wid, query="央行 -通知")
        s.commit()
        assert matcher.match(s, "x", "", body, set) == []
        assert matcher.match(s, "x", "", "央行开会", set) == [(wid, sub)]
        s.commit()
        with env.db.session() as other:  # another process removes the subscriber
            remove_subscriber(other, sub)
            other.commit()
        assert matcher.refresh(s) is True and matcher.match(s, "x", "", "央行开会", set) == []


def test_the_digest_lists_watch_stories_with_their_count_against_the_week(env):
    sub = add(env, [("console", "d")], ["fintech"], mode="digest")
    _watch(env, sub, "人民银行 -金融科技")
    ingest(env, [article(1, "fintech"), article(2, "green_finance"), article(3, "sub_center")])
    text = env.run("digest", "--date", "2026-05-01", "--subscriber", str(sub), "--format", "text").stdout
    assert "关注 watch「人民银行 -金融科技」 1 条（7日均值 0.0" in text, text
    assert "== 🔍 人民银行 -金融科技 ==" in text and "第2号 green_finance 新闻" in text
    assert "第3号" not in text  # neither its topics nor its watch
    assert text.index("== 金融科技 ==") < text.index("== 🔍")  # topics first, then watches
    watch_part = text[text.index("== 🔍") :]
    assert any(line.startswith("  » ") and "人民银行" in line for line in watch_part.splitlines())  # evidence
