"""Settings, tokens, rendering and the outbox's rules, on a real temp database where one is needed."""

from __future__ import annotations

import html.parser
import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common import SettingsError
from common.signing import sign_token
from newsradar.config import ConfigError, load
from notifiers.alerts import Alert
from notifiers.messages import (
    TELEGRAM_LIMIT,
    email_content,
    evidence_html,
    telegram_alert,
    telegram_messages,
    utf16_len,
)
from notifiers.settings import parse_section
from notifiers.tokens import UNSUBSCRIBE_DAYS, check, sign, unsubscribe_url, verify
from tests.notifiers.helpers import legacy_unsubscribe_token

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


def test_unsubscribe_tokens(monkeypatch):
    token = sign(17, b"k1")
    assert verify(token, b"k1") == 17
    assert verify(token, b"k2") is None
    assert verify(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), b"k1") is None
    assert verify("17", b"k1") is None and verify("x.y", b"k1") is None
    assert check(sign_token(b"k1", "confirm", 17), b"k1") == (None, "invalid")  # another purpose
    # the issue time is signed too: an old one has expired
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - (UNSUBSCRIBE_DAYS + 1) * 86400)
    old = sign(17, b"k1")
    monkeypatch.setattr(time, "time", lambda: now - (UNSUBSCRIBE_DAYS - 1) * 86400)
    recent = sign(17, b"k1")
    monkeypatch.undo()
    assert check(old, b"k1") == (None, "expired")
    assert check(recent, b"k1") == (17, None)
    assert unsubscribe_url("https://n.example/", 17, b"k1") == f"https://n.example/unsubscribe?token={token}"


def test_links_made_the_old_way_keep_working_until_they_expire():
    day = int(time.time() // 86400)
    token = legacy_unsubscribe_token(17, b"k1")
    assert check(token, b"k1") == (17, None)
    assert verify(token, b"k2") is None
    cid, day_text, mac = token.split(".")
    assert check(f"{cid}.{int(day_text) + 1}.{mac}", b"k1") == (None, "invalid")  # the day is signed
    assert check(f"18.{day_text}.{mac}", b"k1") == (None, "invalid")
    assert check(legacy_unsubscribe_token(17, b"k1", day - UNSUBSCRIBE_DAYS + 1), b"k1") == (17, None)
    assert check(legacy_unsubscribe_token(17, b"k1", day - UNSUBSCRIBE_DAYS - 1), b"k1") == (None, "expired")


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


# -- channel addresses ----------------------------------------------------------------------


def test_channel_addresses_are_checked_before_storing():
    from notifiers.addresses import AddressError, channels_from

    got = channels_from(
        telegram=[" -100123 ", "@news_room"], email=["a@b.org"], apprise=["json://127.0.0.1/x"]
    )
    assert got == [("telegram", "-100123"), ("telegram", "@news_room"), ("email", "a@b.org"),
                   ("apprise", "json://127.0.0.1/x")]  # fmt: skip
    ((kind, address),) = channels_from()
    assert kind == "console" and address.startswith("stdout#")
    assert [k for k, _ in channels_from(email=["a@b.org"], console=True)] == ["email", "console"]
    for bad, problem in [
        ({"telegram": ["12ab"]}, "not a Telegram chat id"),
        ({"email": ["a@b.org", "nope"]}, "'nope' is not an email address"),
        ({"apprise": ["nosuchscheme://x"]}, "not an Apprise URL"),
    ]:
        with pytest.raises(AddressError, match=problem):
            channels_from(**bad)


def test_digest_header_names_the_zone_whose_day_it_covers():
    from datetime import date

    from notifiers.alerts import Digest
    from notifiers.messages import digest_plain_text, digest_telegram_messages

    item = Alert(
        [],
        1,
        "标题",
        "https://example.org/1",
        ["源"],
        datetime(2026, 12, 2, 1, 0, tzinfo=UTC),
        ["fintech"],
        ["金融科技"],
    )
    beijing = Digest(1, date(2026, 12, 2), 1, items=[item])
    london = Digest(1, date(2026, 12, 2), 1, items=[item], timezone="Europe/London")
    assert "· 2026-12-02 北京时间 ·" in digest_plain_text(beijing).splitlines()[0]
    assert "· 2026-12-02 Europe/London ·" in digest_plain_text(london).splitlines()[0]
    first = digest_telegram_messages(london)[0][0]
    assert "2026-12-02 Europe/London · 1 条" in first and "北京时间 ·" not in first.splitlines()[0]
    assert "2026-12-02 09:00 北京时间" in first  # each story's time stays marked as Beijing time
