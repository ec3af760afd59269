"""A daemon on PostgreSQL whose connections are killed (a failover, `pg_terminate_backend`) loses
the advisory lock it leads by; nobody else took it, so it takes the lock again on a fresh
connection and goes on crawling without stepping down (it used to step down and lead again; found
by bench/faults: when the lock went while the first crawl of a lead was still waiting out its batch
window, the daemon led again but never launched another crawl)."""

from __future__ import annotations

import psycopg
import pytest

from tests.helpers import PG_ADMIN, write_config
from tests.scheduler.helpers import RunningDaemon

pytestmark = pytest.mark.postgres


def test_daemon_crawls_again_after_losing_its_lock_before_the_first_crawl(tmp_path, mocksite, pg_database):
    name = pg_database.rsplit("/", 1)[1]
    config = write_config(
        tmp_path,
        f'ingest_worker = false\n\n[[sources]]\nname = "bj-yaowen"\nkind = "beijing_gov"\n'
        f'start_urls = ["{mocksite["bjgov"]}/ywdt/yaowen/"]\nevery = "30s"\n'
        # the lead is renewed every second; the first crawl waits 5 s for others falling due
        '\n[scheduler]\nlease = "3s"\nbatch_window = "5s"\njitter = 0\n',
        pg_database,
    )
    daemon = RunningDaemon(config)
    try:
        daemon.wait_for("leading", 60)
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s "
                "and pid <> pg_backend_pid()",
                (name,),
            )
        daemon.wait_for("the leader lock's database connection was lost", 30)
        daemon.wait_for("took the leader lock again on a fresh connection: still leading", 30)
        daemon.wait_for("crawl round of 1 source (bj-yaowen):", 90)
        assert daemon.output.count("leading (pid") == 1, daemon.output[-3000:]  # it never stepped down
        assert "stops crawling and sending" not in daemon.output
    finally:
        daemon.terminate(30)
