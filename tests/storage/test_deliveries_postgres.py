"""The outbox claim on PostgreSQL (SELECT ... FOR UPDATE SKIP LOCKED): dispatchers on two
connection pools at once never claim a row twice and leave none behind, and a row another
dispatcher holds locked mid-claim is skipped, not waited for."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from storage import Database, Delivery, deliveries
from tests.helpers import scratch_postgres
from tests.notifiers.helpers import article, ingest, make_env, subscribe

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_env(tmp_path):
    with scratch_postgres() as url:
        env = make_env(tmp_path, database_url=url)
        for i in range(20):
            subscribe(env, [("console", f"c{i}")], ["fintech"])
        ingest(env, [article(i, "fintech") for i in range(5)])
        yield env, url
        env.db.dispose()


def test_dispatchers_on_two_connections_claim_each_row_once(pg_env):
    env, url = pg_env
    pools = [Database(url), Database(url)]  # two processes' worth of connections
    start = threading.Barrier(6)
    got: dict[str, list[int]] = {}

    def dispatcher(name: str, db: Database) -> None:
        mine: list[int] = []
        start.wait()
        while True:
            with db.session() as s:
                ids = deliveries.claim(s, name, lease=60, max_channels=2, max_rows_per_channel=2)
            if not ids:
                break
            mine += ids
        got[name] = mine

    threads = [threading.Thread(target=dispatcher, args=(f"w{i}", pools[i % 2])) for i in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for db in pools:
            db.dispose()
    claimed = [i for ids in got.values() for i in ids]
    assert len(got) == 6 and len(claimed) == len(set(claimed)) == 100
    with env.db.session() as s:
        rows = s.execute(select(Delivery.id, Delivery.status, Delivery.claimed_by)).all()
    assert len(rows) == 100 and all(status == "sending" for _, status, _ in rows)
    owners = {i: name for name, ids in got.items() for i in ids}
    assert all(owners[i] == who for i, _, who in rows)  # the row says who claimed it, and only they did


def test_claim_skips_rows_locked_by_another_dispatcher(pg_env):
    env, url = pg_env
    holder, other = Database(url), Database(url)
    try:
        with env.db.session() as s:
            first = s.scalar(select(Delivery.channel_id).order_by(Delivery.channel_id).limit(1))
            locked = set(s.scalars(select(Delivery.id).where(Delivery.channel_id == first)))
        with holder.engine.connect() as conn, conn.begin():  # a dispatcher in the middle of its claim
            conn.execute(text("SELECT id FROM deliveries WHERE channel_id = :c FOR UPDATE"), {"c": first})
            with other.session() as s:
                s.execute(text("SET lock_timeout = '3s'"))  # waiting on the lock would fail, not hang
                began = time.monotonic()
                ids = deliveries.claim(s, "w2", lease=60, max_channels=64, max_rows_per_channel=50)
                waited = time.monotonic() - began
            assert ids and not set(ids) & locked and len(ids) == 100 - len(locked)
            assert waited < 3
        with env.db.session() as s:
            assert sorted(deliveries.claim(s, "w3", lease=60)) == sorted(locked)
    finally:
        holder.dispose()
        other.dispose()
