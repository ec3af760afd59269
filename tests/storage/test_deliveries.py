"""The delivery queue: claims are leases, a lost lease settles nothing, retries back off, and
concurrent dispatchers never claim the same row."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from storage import Delivery, deliveries
from tests.notifiers.helpers import article, ingest, make_env
from tests.notifiers.helpers import subscribe as add


@pytest.fixture
def env(tmp_path):
    return make_env(tmp_path, alerts={"lease": 1})


def test_claim_lease_reclaim_and_retry(env):
    add(env, [("console", "c1")], ["fintech"])
    add(env, [("console", "c2")], ["fintech"])
    ingest(env, [article(i, "fintech") for i in range(3)])
    with env.db.session() as s:
        first = deliveries.claim(s, "w1", lease=60, max_channels=1)
    with env.db.session() as s:
        second = deliveries.claim(s, "w2", lease=60)
    with env.db.session() as s:
        assert deliveries.claim(s, "w3", lease=60) == []
    assert len(first) == 3 and len(second) == 3 and not set(first) & set(second)
    # an expired lease is reclaimed by someone else, and the old owner can no longer settle it
    with env.db.session() as s:
        s.execute(
            update(Delivery)
            .where(Delivery.id.in_(first))
            .values(claimed_until=datetime.now(UTC) - timedelta(1))
        )
        s.commit()
    with env.db.session() as s:
        again = deliveries.claim(s, "w4", lease=60)
    assert again == first
    with env.db.session() as s:
        assert deliveries.mark_sent(s, first, "w1") == 0
        assert deliveries.mark_sent(s, first, "w4") == 3
        retrying, dead = deliveries.mark_retry(
            s, second, "w2", "boom", max_attempts=2, backoff_base=10, backoff_max=60
        )
        assert (retrying, dead) == (3, 0)
        rows = s.scalars(select(Delivery).where(Delivery.id.in_(second))).all()
        assert all(
            r.status == "pending" and r.next_attempt_at > datetime.now(UTC) + timedelta(seconds=5)
            for r in rows
        )
        assert [r.attempts for r in s.scalars(select(Delivery).where(Delivery.id.in_(first)))] == [2, 2, 2]
    assert (
        deliveries.backoff(1, 30, 3600) == 30
        and deliveries.backoff(4, 30, 3600) == 240
        and deliveries.backoff(20, 30, 3600) == 3600
    )


def test_concurrent_claims_never_overlap(env):
    for i in range(20):
        add(env, [("console", f"c{i}")], ["fintech"])
    ingest(env, [article(i, "fintech") for i in range(5)])
    got: dict[str, list[int]] = {}

    def worker(name):
        mine = []
        while True:
            with env.db.session() as s:
                ids = deliveries.claim(s, name, lease=60, max_channels=2, max_rows_per_channel=2)
            if not ids:
                break
            mine += ids
        got[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for ids in got.values() for i in ids]
    assert len(everything) == len(set(everything)) == 100
