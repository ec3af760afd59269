"""Telegram alerts through python-telegram-bot's real client against the loopback Bot API fake."""

from __future__ import annotations

import io
import re
import time

import pytest
from sqlalchemy import select

from common import topic_labels
from notifiers import notifier_settings
from notifiers.dispatch import run_dispatch
from storage import Channel, Delivery
from storage.subscribers import add_subscriber
from tests.fakes.telegram_api import FakeBotAPI
from tests.notifiers.helpers import Env, article, ingest, make_env


@pytest.fixture
def api():
    with FakeBotAPI() as server:
        yield server


def subscribe(env: Env, chat: str, topics: list[str], **kw) -> int:
    with env.db.session() as s:
        sub = add_subscriber(s, channels=[("telegram", chat)], topics=topics, **kw)
        s.commit()
        return sub.id


def dispatch(env: Env) -> tuple:
    ctx = env.ctx()
    out = io.StringIO()
    report = run_dispatch(env.db, notifier_settings(ctx.config), out, labels=topic_labels(ctx.topics))
    return report, out.getvalue()


def test_alert_format_escapes_and_bolds(tmp_path, api):
    env = make_env(tmp_path, telegram=api.url)
    subscribe(env, "100", ["green_finance"])
    ingest(env, [article(1, "green_finance", title="绿色 <script>alert('x')</script> & 债券")])
    report, _ = dispatch(env)
    assert report.sent == 1
    [call] = api.sent("100")
    text = call.text
    assert call.params["parse_mode"] == "HTML"
    assert "<script>" not in text and "&lt;script&gt;" in text and "&amp; 债券" in text
    assert '<a href="https://example.gov.cn/green_finance/1.html">' in text
    assert "bj-yaowen" in text
    assert "2026-05-01 09:31 北京时间" in text  # 01:31 UTC
    assert "绿色金融" in text  # topic label
    assert re.search(r"<b>绿色金融</b>|<b>绿色债券</b>|<b>绿色信贷</b>", text), text  # matched terms in bold
    assert env.counts() == {"sent": 1}


def test_many_stories_for_one_chat_are_batched(tmp_path, api):
    env = make_env(tmp_path, telegram=api.url)
    subscribe(env, "200", ["digital_currency"])
    ingest(env, [article(i, "digital_currency") for i in range(25)])
    report, _ = dispatch(env)
    assert report.sent == 25
    calls = api.sent("200")
    assert len(calls) == 3  # 10 stories per message by default
    assert all(len(c.text) <= 4096 for c in calls)
    titles = re.findall(r"第(\d+)号", "".join(c.text for c in calls))
    assert sorted(map(int, titles)) == list(range(25))


def test_per_chat_limit_is_respected(tmp_path):
    # The server's limit sits well below the client's spacing (0.25 s): arrival times jitter on a
    # loaded machine, while without pacing the five messages would arrive milliseconds apart.
    with FakeBotAPI(chat_interval=0.12) as api:
        env = make_env(
            tmp_path,
            telegram=api.url,
            telegram_options={"per_chat_interval": 0.25, "max_stories_per_message": 1},
        )
        subscribe(env, "300", ["fintech"])
        subscribe(env, "301", ["fintech"])
        ingest(env, [article(i, "fintech") for i in range(5)])
        report, _ = dispatch(env)
        assert report.sent == 10
        assert api.limit_hits == 0
        for chat in ("300", "301"):
            times = [c.at for c in api.sent(chat)]
            assert len(times) == 5
            assert all(b - a >= 0.12 for a, b in zip(times, times[1:], strict=False))


def test_429_waits_retry_after_and_resends(tmp_path, api):
    env = make_env(tmp_path, telegram=api.url)
    subscribe(env, "400", ["sub_center"])
    ingest(env, [article(1, "sub_center")])
    api.flood("sendMessage", retry_after=0.3)
    report, _ = dispatch(env)
    assert report.sent == 1
    calls = api.calls_of("sendMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 0.3
    assert len(api.sent("400")) == 1


def test_500_retries_with_backoff(tmp_path, api):
    env = make_env(tmp_path, telegram=api.url)
    subscribe(env, "500", ["sub_center"])
    ingest(env, [article(1, "sub_center")])
    api.fail("sendMessage", 500, times=2)
    report, _ = dispatch(env)  # first try fails; the row is due again after backoff
    assert report.sent + report.retrying >= 1
    for _ in range(20):
        if env.counts() == {"sent": 1}:
            break
        time.sleep(0.05)  # let the backoff elapse
        dispatch(env)
    assert env.counts() == {"sent": 1}
    assert len(api.sent("500")) == 1
    with env.db.session() as s:
        row = s.scalar(select(Delivery))
        assert row.attempts == 3


def test_attempts_exhausted_makes_row_dead(tmp_path, api):
    env = make_env(tmp_path, telegram=api.url, alerts={"max_attempts": 2, "backoff_base": 0.01})
    subscribe(env, "600", ["sub_center"])
    ingest(env, [article(1, "sub_center")])
    api.fail("sendMessage", 502, times=10)
    for _ in range(30):
        dispatch(env)
        if env.counts().get("dead"):
            break
        time.sleep(0.02)
    assert env.counts() == {"dead": 1}
    out = env.run("status").stdout
    assert "dead 1" in out and "after 2 attempts" in out


@pytest.mark.parametrize("kind", ["blocked", "missing"])
def test_permanent_failure_deactivates_channel_and_tells_admins(tmp_path, api, kind):
    env = make_env(tmp_path, telegram=api.url, admin_chats=["999"])
    subscribe(env, "700", ["green_finance"])
    subscribe(env, "701", ["green_finance"])
    getattr(api, kind).add("700")
    ingest(env, [article(1, "green_finance"), article(2, "green_finance")])
    report, _ = dispatch(env)
    assert len(report.deactivated) == 1
    with env.db.session() as s:
        ch = s.scalar(select(Channel).where(Channel.address == "700"))
        assert ch.active is False
        assert ("blocked" if kind == "blocked" else "chat not found") in ch.deactivated_reason.lower()
    assert len(api.sent("701")) == 1  # the other chat is unaffected
    [notice] = api.sent("999")
    assert "deactivated" in notice.text and "700" in notice.text
    assert env.counts() == {"sent": 2, "dead": 2}
    # a later story does not queue anything for the inactive channel
    ingest(env, [article(3, "green_finance")])
    assert env.counts() == {"sent": 2, "dead": 2, "pending": 1}
    out = env.run("status").stdout
    assert "inactive channels (1)" in out and "700" in out


def test_slow_answers_are_not_resent(tmp_path, api):
    env = make_env(tmp_path, telegram=api.url)
    subscribe(env, "800", ["fintech"])
    ingest(env, [article(1, "fintech")])
    api.slow("sendMessage", 1.0)
    report, _ = dispatch(env)
    assert report.sent == 1 and len(api.sent("800")) == 1


def test_telegram_not_configured_keeps_alerts_pending(tmp_path):
    env = make_env(tmp_path)  # no [telegram]
    subscribe(env, "900", ["fintech"])
    ingest(env, [article(1, "fintech")])
    out = env.run("dispatch").stdout
    assert "1 telegram alert waits" in out and "[telegram]" in out
    assert env.counts() == {"pending": 1}
    with env.db.session() as s:
        assert s.scalar(select(Delivery.attempts)) == 0


def test_bad_token_keeps_alerts_pending(tmp_path, api, monkeypatch):
    env = make_env(tmp_path, telegram=api.url)
    monkeypatch.setenv("NEWSRADAR_TELEGRAM_TOKEN", "999:wrong")
    subscribe(env, "901", ["fintech"])
    ingest(env, [article(1, "fintech")])
    out = env.run("dispatch").stdout
    assert "1 telegram alert waits" in out and "token" in out
    assert env.counts() == {"pending": 1}
