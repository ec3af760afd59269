"""Settings, tokens, rendering and the outbox's rules, on a real temp database where one is needed."""

from __future__ import annotations

import html.parser
import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from newsradar.config import ConfigError, load
from notifiers.alerts import Alert
from notifiers.render import (
    TELEGRAM_LIMIT,
    email_content,
    evidence_html,
    telegram_alert,
    telegram_messages,
    utf16_len,
)
from notifiers.settings import SettingsError, parse_section
from notifiers.tokens import sign, unsubscribe_url, verify
from storage import Channel, Delivery, outbox
from storage.subscribers import add_subscriber, deactivate_channel, set_paused
from tests.notifiers.helpers import article, ingest, make_env

# -- settings -------------------------------------------------------------------------------


def test_sections_parse_with_defaults():
    t = parse_section("telegram", {"api_url": "http://127.0.0.1:8081/", "admin_chats": [1, "-100"]})
    assert t.base_url == "http://127.0.0.1:8081/bot" and t.admin_chats == ("1", "-100") and t.rate == 30
    e = parse_section("email", {"smtp_host": "mx", "sender": "a@b.org", "security": "ssl"})
    assert e.port == 465
    a = parse_section("alerts", {"backoff_base": "500ms", "lease": "2m"})
    assert a.backoff_base == 0.5 and a.lease == 120 and a.max_attempts == 8
    assert a.base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    "name, table, key",
    [
        ("email", {"smtp_host": "mx", "sender": "a@b.org", "smtp_port": 70000}, "smtp_port"),
        ("email", {"smtp_host": "mx", "sender": "nope"}, "sender"),
        ("email", {"sender": "a@b.org"}, "smtp_host"),
        ("email", {"smtp_host": "mx", "sender": "a@b.org", "security": "tls"}, "security"),
        ("email", {"smtp_host": "mx", "sender": "a@b.org", "password": "x"}, "password"),
        ("telegram", {"api_url": "ftp://x"}, "api_url"),
        ("telegram", {"admin_chats": "123"}, "admin_chats"),
        ("alerts", {"max_attempts": 0}, "max_attempts"),
        ("alerts", {"backoff_base": "soon"}, "backoff_base"),
    ],
)
def test_bad_settings_name_the_key(name, table, key):
    with pytest.raises(SettingsError) as err:
        parse_section(name, table)
    assert err.value.key == key and err.value.problem


def test_config_error_names_file_section_and_key(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[email]\nsmtp_host = "mx"\nsender = "a@b.org"\nsmtp_port = "25"\n')
    with pytest.raises(ConfigError) as err:
        load(path)
    assert str(err.value).startswith(f"{path}: email.smtp_port: must be a port number")


# -- tokens ---------------------------------------------------------------------------------


def test_unsubscribe_tokens():
    token = sign(17, b"k1")
    assert verify(token, b"k1") == 17
    assert verify(token, b"k2") is None
    assert verify(token.replace("17.", "18."), b"k1") is None
    assert verify("17", b"k1") is None and verify("x.y", b"k1") is None
    assert unsubscribe_url("https://n.example/", 17, b"k1") == f"https://n.example/unsubscribe?token={token}"


# -- rendering ------------------------------------------------------------------------------


def make_alert(title="t", evidence="", spans=(), sources=("s",), url="https://x.cn/a?b=1&c=2") -> Alert:
    return Alert([1], 1, title, url, list(sources), datetime(2026, 1, 1, 16, 0, tzinfo=UTC), ["fintech"],
                 ["金融科技"], evidence, list(spans))  # fmt: skip


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.ok = [], True

    def handle_starttag(self, tag, attrs):
        self.ok &= tag in ("a", "b")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        self.ok &= bool(self.stack) and self.stack.pop() == tag


def test_evidence_bold_and_escaped():
    ev = "央行<称>：推动金融科技&数字化发展。"
    assert evidence_html(ev, [(6, 10)]) == "央行&lt;称&gt;：<b>推动金融</b>科技&amp;数字化发展。"


def test_alert_text_shape():
    text = telegram_alert(make_alert(title="<b>x</b> & y", evidence="a金融科技b", spans=[(1, 5)]))
    assert '<a href="https://x.cn/a?b=1&amp;c=2">&lt;b&gt;x&lt;/b&gt; &amp; y</a>' in text
    assert "2026-01-02 00:00 北京时间" in text and "<b>金融科技</b>" in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(st.text(min_size=0, max_size=3000), min_size=1, max_size=15),
    evidence=st.text(min_size=0, max_size=5000),
    sources=st.lists(st.text(max_size=300), max_size=40),
    data=st.data(),
)
def test_telegram_messages_never_exceed_the_limit(titles, evidence, sources, data):
    spans = []
    if evidence:
        a = data.draw(st.integers(0, len(evidence) - 1))
        b = data.draw(st.integers(a + 1, len(evidence)))
        spans = [(a, b)]
    alerts = [make_alert(title=t, evidence=evidence, spans=spans, sources=sources) for t in titles]
    messages = telegram_messages(alerts, max_per_message=10)
    assert [a for _, group in messages for a in group] == alerts  # every alert once, in order
    for text, _ in messages:
        assert utf16_len(text) <= TELEGRAM_LIMIT
        parser = _Tags()
        parser.feed(text)
        assert parser.ok and not parser.stack, text[:200]


def test_email_html_is_sanitised():
    content = email_content(
        [make_alert(title='"><img src=x onerror=alert(1)>')], "http://h/unsubscribe?token=1.a"
    )
    assert "<img" not in content.html and "onerror" not in content.html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;img" in content.html


# -- outbox ---------------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path):
    return make_env(tmp_path, alerts={"lease": 1})


def add(env, channels, topics, **kw) -> int:
    with env.db.session() as s:
        sub = add_subscriber(s, channels=channels, topics=topics, **kw)
        s.commit()
        return sub.id


def test_enqueue_rules(env):
    a = add(env, [("console", "a"), ("email", "a@x.org")], ["fintech"])
    d = add(env, [("console", "d")], ["fintech"], mode="digest")
    p = add(env, [("console", "p")], ["fintech"])
    src = add(env, [("console", "src")], ["fintech"], sources=["other-site"])
    kw = add(env, [("console", "kw")], ["fintech"], keywords=["第2号"])
    off = add(env, [("console", "off"), ("console", "on")], ["fintech"])
    with env.db.session() as s:
        set_paused(s, p, True)
        deactivate_channel(s, s.scalar(select(Channel.id).where(Channel.address == "off")), "gone")
        s.commit()
    ingest(env, [article(1, "fintech"), article(2, "fintech", title="第2号 新闻")])
    with env.db.session() as s:
        rows = s.execute(select(Delivery.subscriber_id, Delivery.story_id, Delivery.topics)).all()
    by_sub = {}
    for sid, story, topics in rows:
        by_sub.setdefault(sid, []).append(story)
        assert topics == ["fintech"]
    assert sorted(by_sub[a]) == [1, 1, 2, 2]  # two channels
    assert d not in by_sub and p not in by_sub and src not in by_sub
    assert by_sub[kw] == [2]
    assert by_sub[off] == [1, 2]  # only the active channel


def test_claim_lease_reclaim_and_retry(env):
    add(env, [("console", "c1")], ["fintech"])
    add(env, [("console", "c2")], ["fintech"])
    ingest(env, [article(i, "fintech") for i in range(3)])
    with env.db.session() as s:
        first = outbox.claim(s, "w1", lease=60, max_channels=1)
    with env.db.session() as s:
        second = outbox.claim(s, "w2", lease=60)
    with env.db.session() as s:
        assert outbox.claim(s, "w3", lease=60) == []
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
        again = outbox.claim(s, "w4", lease=60)
    assert again == first
    with env.db.session() as s:
        assert outbox.mark_sent(s, first, "w1") == 0
        assert outbox.mark_sent(s, first, "w4") == 3
        retrying, dead = outbox.mark_retry(
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
        outbox.backoff(1, 30, 3600) == 30
        and outbox.backoff(4, 30, 3600) == 240
        and outbox.backoff(20, 30, 3600) == 3600
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
                ids = outbox.claim(s, name, lease=60, max_channels=2, max_rows_per_channel=2)
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
