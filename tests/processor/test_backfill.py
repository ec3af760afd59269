"""A subscriber added after a crawl is told stored stories are not sent, and can ask for them once."""

from __future__ import annotations

from sqlalchemy import func, select

from processor import backfill
from storage import Delivery
from tests.notifiers.helpers import article, ingest, make_env


def test_subscribe_after_crawl_says_so_and_backfills_once(tmp_path):
    env = make_env(tmp_path)
    ingest(env, [article(1, "fintech"), article(2, "fintech"), article(3, "green_finance")])
    plain = env.run("subscribers", "add", "--topics", "fintech", "--console").stdout
    assert "2 stories already stored match these topics and will not be sent" in plain
    assert "--backfill SINCE" in plain
    assert "sent 0 alerts" in env.run("dispatch").stdout

    late = env.run(
        "subscribers", "add", "--topics", "fintech", "--console", "--backfill", "2026-05-01"
    ).stdout
    assert "queued 2 alerts about stories stored since 2026-05-01 00:00 北京时间" in late
    with env.db.session() as s:
        assert backfill(s, 2, None) == 0  # once: a second backfill queues nothing more
        s.commit()
    sent = env.run("dispatch").stdout
    assert "sent 2 alerts in 1 message" in sent and sent.count("第1号 fintech 新闻") == 1

    none = env.run(
        "subscribers", "add", "--topics", "fintech", "--console", "--backfill", "2030-01-01"
    ).stdout
    assert "queued 0 alerts" in none
    with env.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == 2
