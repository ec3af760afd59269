"""recent_runs_of (status and the sources page read every source's latest crawls at once) gives
each source exactly what recent_runs gives it alone: the newest `limit`, newest first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage import CrawlRun, Database, utcnow
from storage.health import recent_runs, recent_runs_of, record_run
from tests.helpers import fresh_database_url


def test_recent_runs_of_many_sources_equals_one_source_at_a_time(tmp_path):
    db = Database(fresh_database_url(tmp_path, "h.db"))
    db.migrate()
    names = [f"s{i}" for i in range(230)]  # more than one statement's worth (200 sources each)
    now = utcnow()
    with db.session() as s:
        for i, name in enumerate(names):
            for k in range(i % 9):  # 0 to 8 runs: fewer and more than the limit
                record_run(s, name, {"requests": k, "new": i})
        s.commit()
        for run in s.query(CrawlRun):  # finish times out of id order, some equal
            s.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run.id)
                .values(finished_at=now - timedelta(minutes=(run.id * 7) % 5))
            )
        s.commit()
        got = recent_runs_of(s, [*names, "never"], 5)
        for name in names:
            assert [r.id for r in got[name]] == [r.id for r in recent_runs(s, name, 5)], name
        assert got["never"] == []
        assert sum(map(len, got.values())) == sum(min(5, i % 9) for i in range(230))
    db.dispose()
