"""An unusable channel is mentioned where it matters: status, and dispatch when something waits for it."""

from __future__ import annotations

from storage.subscribers import add_subscriber
from tests.notifiers.helpers import article, ingest, make_env

SAYS = "NEWSRADAR_TELEGRAM_TOKEN"


def test_telegram_unusable_is_said_in_status_and_only_when_an_alert_waits(tmp_path, monkeypatch):
    env = make_env(tmp_path, telegram="http://127.0.0.1:9")  # nothing listens: nothing is sent
    monkeypatch.delenv("NEWSRADAR_TELEGRAM_TOKEN", raising=False)
    quiet = env.run("dispatch").stdout
    assert SAYS not in quiet and "unusable" not in quiet, quiet
    status = env.run("status").stdout
    assert "telegram is configured but unusable: set NEWSRADAR_TELEGRAM_TOKEN" in status
    with env.db.session() as s:
        add_subscriber(s, channels=[("telegram", "5001")], topics=["fintech"])
        s.commit()
    ingest(env, [article(1, "fintech")])
    waiting = env.run("dispatch").stdout
    assert "1 telegram alert waits: set NEWSRADAR_TELEGRAM_TOKEN" in waiting
    assert waiting.count(SAYS) == 1, waiting
    assert "sent 0 alerts in 0 messages" in waiting
