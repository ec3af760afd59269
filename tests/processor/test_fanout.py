"""Instant fan-out: which subscribers a story alerts (mode, pause, narrowing, inactive channels)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage import Channel, Delivery
from storage.subscribers import deactivate_channel, set_paused
from tests.notifiers.helpers import article, ingest, make_env
from tests.notifiers.helpers import subscribe as add


@pytest.fixture
def env(tmp_path):
    return make_env(tmp_path, alerts={"lease": 1})


def test_enqueue_rules(env):
    a = add(env, [("console", "a"), ("email", "a@x.org")], ["fintech"])
    d = add(env, [("console", "d")], ["fintech"], mode="digest")
    p = add(env, [("console", "p")], ["fintech"])
    src = add(env, [("console", "src")], ["fintech"], sources=["other-site"])
    kw = add(env, [("console", "kw")], ["fintech"], keywords=["第2号"])
    off = add(env, [("console", "off"), ("console", "on")], ["fintech"])
    with env.db.session() as s:
        set_paused(s, p, True)
        deactivate_channel(s, s.scalar(select(Channel.id).where(Channel.address == "off")), "gone")
        s.commit()
    ingest(env, [article(1, "fintech"), article(2, "fintech", title="第2号 新闻")])
    with env.db.session() as s:
        rows = s.execute(select(Delivery.subscriber_id, Delivery.story_id, Delivery.topics)).all()
    by_sub = {}
    for sid, story, topics in rows:
        by_sub.setdefault(sid, []).append(story)
        assert topics == ["fintech"]
    assert sorted(by_sub[a]) == [1, 1, 2, 2]  # two channels
    assert d not in by_sub and p not in by_sub and src not in by_sub
    assert by_sub[kw] == [2]
    assert by_sub[off] == [1, 2]  # only the active channel
