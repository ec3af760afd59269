"""An unusable channel is mentioned where it matters: status, and dispatch when something waits for it."""

from __future__ import annotations

from storage.subscribers import add_subscriber
from tests.notifiers.helpers import article, ingest, make_env

SAYS = "NEWSRADAR_SECRET_KEY"


def test_email_unusable_is_said_in_status_and_only_when_an_alert_waits(tmp_path, monkeypatch):
    env = make_env(tmp_path, smtp_port=2525)  # nothing listens: nothing is sent in this test
    monkeypatch.delenv("NEWSRADAR_SECRET_KEY")
    quiet = env.run("dispatch").stdout
    assert SAYS not in quiet and "unusable" not in quiet, quiet
    status = env.run("status").stdout
    assert "email is configured but unusable: email needs NEWSRADAR_SECRET_KEY" in status
    with env.db.session() as s:
        add_subscriber(s, channels=[("email", "a@example.org")], topics=["fintech"])
        s.commit()
    ingest(env, [article(1, "fintech")])
    waiting = env.run("dispatch").stdout
    assert "1 email alert waits: email needs NEWSRADAR_SECRET_KEY" in waiting
    assert waiting.count(SAYS) == 1, waiting
    assert "sent 0 alerts in 0 messages" in waiting
