"""Two dispatchers at once on PostgreSQL (the SELECT ... FOR UPDATE SKIP LOCKED claim)."""

from __future__ import annotations

import pytest

from storage.subscribers import add_subscriber
from tests.fakes.telegram_api import FakeBotAPI
from tests.notifiers.helpers import article, ingest, make_env

pytestmark = pytest.mark.postgres


def test_two_dispatchers_on_postgres(tmp_path, pg_database):
    with FakeBotAPI(chat_interval=0.04) as api:
        env = make_env(tmp_path, telegram=api.url, database_url=pg_database,
                       telegram_options={"max_stories_per_message": 1})  # fmt: skip
        try:
            with env.db.session() as s:
                for chat in range(30):
                    add_subscriber(
                        s, channels=[("telegram", str(5000 + chat))], topics=["fintech", "sub_center"]
                    )
                s.commit()
            ingest(env, [article(n, ["fintech", "sub_center"][n % 2]) for n in range(6)])
            assert env.counts() == {"pending": 180}
            procs = [env.popen("dispatch"), env.popen("dispatch")]
            for p in procs:
                _, err = p.communicate(timeout=120)
                assert p.returncode == 0, err
            for _ in range(10):
                if env.counts() == {"sent": 180}:
                    break
                env.run("dispatch")
            assert env.counts() == {"sent": 180}
            for chat in range(30):
                titles = sorted(c.text.split("第")[1].split("号")[0] for c in api.sent(str(5000 + chat)))
                assert titles == [str(n) for n in range(6)], chat
            assert len(api.sent()) == 180  # nothing sent twice by the two dispatchers
        finally:
            env.db.dispose()
