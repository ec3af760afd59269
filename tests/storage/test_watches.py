"""storage.watches on SQLite and PostgreSQL: rows, counts per subscriber, 30-day match counts, the
version that tells a cached index to reload, and cascades when a subscriber goes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import Database, Story, utcnow
from storage import watches as w
from storage.subscribers import add_subscriber, remove_subscriber


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path}/w.db" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    )
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


def test_watch_rows_counts_and_version(db):
    with db.session() as s:
        sub = add_subscriber(s, channels=[("console", "a")], topics=[]).id
        other = add_subscriber(s, channels=[("console", "b")], topics=[]).id
        v0 = w.watches_version(s)
        a = w.add_watch(s, sub, "央行 数字货币", topics=["fintech", "fintech"], sources=["pbc"])
        b = w.add_watch(s, sub, "通州")
        c = w.add_watch(s, other, "CBDC")
        s.commit()
        assert a.topics == ["fintech"] and a.sources == ["pbc"] and a.active
        assert w.count_watches(s, sub) == 2 and w.count_watches(s, other) == 1
        assert [x.id for x in w.list_watches(s, subscriber_id=sub)] == [a.id, b.id]
        v1 = w.watches_version(s)
        assert v1 != v0
        assert w.set_watch_active(s, b.id, False) and not w.set_watch_active(s, 999, False)
        assert [x.id for x in w.list_watches(s, active=True)] == [a.id, c.id]
        assert w.active_watch_rows(s) == [
            (a.id, sub, "央行 数字货币", ["fintech"], ["pbc"]),
            (c.id, other, "CBDC", [], []),
        ]
        v2 = w.watches_version(s)
        assert v2 != v1
        assert w.update_watch(s, a.id, query="央行").query == "央行" and w.update_watch(s, 999) is None
        assert w.watches_version(s) != v2
        s.commit()

        stories = [Story() for _ in range(3)]
        s.add_all(stories)
        s.flush()
        old = utcnow() - timedelta(days=40)
        assert w.record_matches(s, stories[0].id, [a.id, c.id]) == 2
        assert w.record_matches(s, stories[0].id, [a.id]) == 0  # once per story
        w.record_matches(s, stories[1].id, [a.id])
        w.record_matches(s, stories[2].id, [a.id], now=old)
        s.commit()
        assert w.match_counts(s) == {a.id: 2, c.id: 1}
        assert w.match_counts(s, [c.id]) == {c.id: 1}
        assert w.match_counts(s, days=60)[a.id] == 3

        v3 = w.watches_version(s)
        assert w.remove_watch(s, c.id) and not w.remove_watch(s, c.id)
        assert w.watches_version(s) != v3
        assert remove_subscriber(s, sub)
        s.commit()
        assert w.list_watches(s) == [] and w.match_counts(s) == {}
