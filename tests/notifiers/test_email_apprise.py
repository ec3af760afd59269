"""Email over a real SMTP server (aiosmtpd) and Apprise over a real webhook receiver, both on 127.0.0.1."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from notifiers import notifier_settings
from notifiers.dispatch import run_dispatch
from notifiers.tokens import verify
from storage import Channel, Setting
from storage.subscribers import add_subscriber
from tests.fakes.smtp import SMTPServer
from tests.fakes.webhook import WebhookReceiver
from tests.notifiers.helpers import SECRET, Env, article, ingest, make_env


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook():
    with WebhookReceiver() as receiver:
        yield receiver


def add(env: Env, kind: str, address: str, topics: list[str]) -> None:
    with env.db.session() as s:
        add_subscriber(s, channels=[(kind, address)], topics=topics)
        s.commit()


def dispatch(env: Env):
    return run_dispatch(env.db, notifier_settings(env.ctx().config), io.StringIO())


def drain(env: Env, rounds: int = 30) -> None:
    for _ in range(rounds):
        dispatch(env)
        counts = env.counts()
        if not counts.get("pending") and not counts.get("sending"):
            return
        time.sleep(0.05)  # let the backoff elapse


def test_email_is_multipart_escaped_with_unsubscribe(tmp_path, smtp):
    env = make_env(tmp_path, smtp_port=smtp.port)
    add(env, "email", "reader@example.org", ["green_finance"])
    ingest(env, [article(1, "green_finance", title="绿色 <script>x()</script> & 债券")])
    report = dispatch(env)
    assert report.sent == 1
    [mail] = smtp.to("reader@example.org")
    msg = mail.message
    assert msg["From"].addresses[0].addr_spec == "alerts@newsradar.test"
    assert msg["Message-ID"].startswith("<newsradar.")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = msg["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://127.0.0.1:8080/unsubscribe?token=")
    with env.db.session() as s:
        channel_id = s.scalar(select(Channel.id).where(Channel.address == "reader@example.org"))
    token = parse_qs(urlparse(link).query)["token"][0]
    assert verify(token, SECRET.encode()) == channel_id
    assert verify(token, b"other secret") is None
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "绿色 <script>x()</script> & 债券" in text  # plain text shows it as written
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; 债券" in html
    assert "2026-05-01 09:31 北京时间" in html
    assert link.replace("&", "&amp;") in html or link in html


def test_email_batches_stories_and_ids_are_stable(tmp_path, smtp):
    env = make_env(tmp_path, smtp_port=smtp.port)
    add(env, "email", "many@example.org", ["fintech"])
    ingest(env, [article(i, "fintech") for i in range(3)])
    dispatch(env)
    [mail] = smtp.to("many@example.org")
    assert "3 条新闻" in mail.message["Subject"]
    assert len(mail.message["X-Newsradar-Deliveries"].split(",")) == 3


def test_smtp_4xx_refusal_then_delivered_once(tmp_path, smtp):
    env = make_env(tmp_path, smtp_port=smtp.port)
    add(env, "email", "retry@example.org", ["fintech"])
    ingest(env, [article(1, "fintech")])
    smtp.refuse(times=2)
    drain(env)
    assert env.counts() == {"sent": 1}
    assert len(smtp.to("retry@example.org")) == 1


def test_smtp_dropped_connection_then_delivered_once(tmp_path, smtp):
    env = make_env(tmp_path, smtp_port=smtp.port)
    add(env, "email", "drop@example.org", ["fintech"])
    ingest(env, [article(1, "fintech")])
    smtp.drop(times=1)
    drain(env)
    assert env.counts() == {"sent": 1}
    assert len(smtp.to("drop@example.org")) == 1
    assert smtp.transactions == 2


def test_smtp_refused_connection_waits_for_the_server(tmp_path, smtp):
    env = make_env(tmp_path, smtp_port=smtp.port)
    add(env, "email", "down@example.org", ["fintech"])
    ingest(env, [article(1, "fintech")])
    smtp.stop()
    report = dispatch(env)
    assert report.retrying == 1 and env.counts() == {"pending": 1}
    smtp.start()
    drain(env)
    assert env.counts() == {"sent": 1}
    assert len(smtp.to("down@example.org")) == 1


def test_smtp_unknown_recipient_deactivates_channel(tmp_path, smtp):
    env = make_env(tmp_path, smtp_port=smtp.port)
    add(env, "email", "gone@example.org", ["fintech"])
    smtp.unknown.add("gone@example.org")
    ingest(env, [article(1, "fintech")])
    report = dispatch(env)
    assert len(report.deactivated) == 1
    with env.db.session() as s:
        ch = s.scalar(select(Channel).where(Channel.address == "gone@example.org"))
        assert not ch.active and "550" in ch.deactivated_reason


def test_email_without_secret_key_uses_a_generated_one(tmp_path, smtp, monkeypatch):
    """A user who configures email and adds an address gets email: no key to set first."""
    env = make_env(tmp_path, smtp_port=smtp.port)
    add(env, "email", "nokey@example.org", ["fintech"])
    ingest(env, [article(1, "fintech")])
    monkeypatch.delenv("NEWSRADAR_SECRET_KEY")
    out = env.run("dispatch").stdout
    assert "sent 1 alert " in out and "wait" not in out
    assert env.counts() == {"sent": 1} and len(smtp.messages) == 1
    with env.db.session() as s:
        key = s.get(Setting, "secret_key").value
    assert len(key) >= 32
    ingest(env, [article(2, "fintech")])
    env.run("dispatch")  # the same key signs the next links
    with env.db.session() as s:
        assert s.get(Setting, "secret_key").value == key


def test_apprise_json_webhook(tmp_path, hook):
    env = make_env(tmp_path)
    add(env, "apprise", hook.url("/alerts"), ["sub_center"])
    ingest(env, [article(1, "sub_center", title="副中心 <b>项目</b> & 开工")])
    report = dispatch(env)
    assert report.sent == 1
    [post] = hook.ok_posts()
    assert post.path == "/alerts"
    body = post.json
    assert "副中心 <b>项目</b> & 开工" in body["message"]  # plain text format: sent as written
    assert body["title"].startswith("newsradar:")


def test_apprise_500_retried_then_once(tmp_path, hook):
    env = make_env(tmp_path)
    add(env, "apprise", hook.url("/x"), ["sub_center"])
    ingest(env, [article(1, "sub_center")])
    hook.fail(500, times=2)
    drain(env)
    assert env.counts() == {"sent": 1}
    assert len(hook.ok_posts()) == 1
