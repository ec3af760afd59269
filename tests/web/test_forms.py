"""Subscription with double opt-in over the test SMTP server, one-click unsubscribe (RFC 8058),
digest links, CSRF, and the admin login with its rate limit."""

import re
import time
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import select

from newsradar.config import load
from notifiers.tokens import UNSUBSCRIBE_DAYS, sign
from storage import Channel, Database, Delivery, StoryTopic, Subscriber
from storage.subscribers import add_subscriber
from tests.notifiers.helpers import SECRET, legacy_unsubscribe_token
from tests.web.conftest import ADMIN_PASSWORD


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def _db(archive) -> Database:
    return Database(load(archive.config).database_url)


def _link(message, path: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"(http://\S+{path}\S+)", text).group(1)


def test_subscribe_confirm_by_mail_then_digests_link(client, archive, smtp):
    token = _csrf(client, "/subscribe")
    r = client.post("/subscribe", data={"csrf": token, "email": "reader@example.org",
                                        "topics": ["sub_center", "fintech"], "mode": "both"})  # fmt: skip
    assert r.status_code == 200 and "reader@example.org" in r.text
    mails = smtp.to("reader@example.org")
    assert len(mails) == 1 and "确认" in mails[0].message["Subject"]
    link = _link(mails[0].message, "/subscribe/confirm")
    with _db(archive).session() as s:  # nothing stored before the confirmation
        assert s.scalar(select(Channel).where(Channel.address == "reader@example.org")) is None
    parts = urlsplit(link)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200 and "订阅已确认" in page.text
    with _db(archive).session() as s:
        ch = s.scalar(select(Channel).where(Channel.address == "reader@example.org"))
        sub = s.get(Subscriber, ch.subscriber_id)
        assert (
            ch.kind == "email"
            and ch.active
            and sorted(x.topic_id for x in sub.subscriptions) == ["fintech", "sub_center"]
        )
        story = s.scalar(select(StoryTopic.story_id).where(StoryTopic.topic_id == "sub_center").limit(1))
        s.add(Delivery(kind="digest", subscriber_id=sub.id, channel_id=ch.id, digest_day=date(2026, 1, 5),
                       digest_items=[[story, ["sub_center"]]], status="sent", topics=["sub_center"]))  # fmt: skip
        s.commit()
    again = client.get(f"{parts.path}?{parts.query}")  # confirming twice changes nothing
    assert again.status_code == 200
    digests = re.search(r'href="(http://[^"]+/digests\?token=[^"]+)"', page.text).group(1)
    listing = client.get(urlsplit(digests).path + "?" + urlsplit(digests).query)
    assert listing.status_code == 200 and "2026-01-05" in listing.text
    day = re.search(r'href="(/digests/2026-01-05\?token=[^"]+)"', listing.text).group(1)
    shown = client.get(day.replace("&amp;", "&"))
    assert shown.status_code == 200 and f'href="/stories/{story}"' in shown.text
    assert client.get("/digests?token=forged").status_code == 403
    assert client.get("/subscribe/confirm?token=forged").status_code == 400


def test_subscribe_refuses_bad_input_and_missing_csrf(client, smtp):
    before = len(smtp.messages)
    assert client.post("/subscribe", data={"email": "a@b.org", "topics": ["fintech"]}).status_code == 403
    token = _csrf(client, "/subscribe")
    bad = client.post("/subscribe", data={"csrf": token, "email": "not-an-address", "topics": ["fintech"]})
    assert bad.status_code == 400 and "邮箱地址无效" in bad.text
    none = client.post("/subscribe", data={"csrf": token, "email": "a@b.org"})
    assert none.status_code == 400 and "至少选择一个主题" in none.text
    assert len(smtp.messages) == before


def _email_channel(archive, address: str) -> int:
    with _db(archive).session() as s:
        sub = add_subscriber(s, channels=[("email", address)], topics=["fintech"])
        s.commit()
        return sub.channels[0].id


def test_one_click_unsubscribe_rfc8058(client, archive):
    cid = _email_channel(archive, "oneclick@example.org")
    token = sign(cid, SECRET.encode())
    r = client.post(f"/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and r.text.strip() == "unsubscribed"
    with _db(archive).session() as s:
        assert s.get(Channel, cid).active is False
    assert (
        client.post("/unsubscribe?token=1.forged", data={"List-Unsubscribe": "One-Click"}).status_code == 400
    )


def test_an_expired_unsubscribe_link_says_so_and_changes_nothing(client, archive):
    cid = _email_channel(archive, "old@example.org")
    day = int(time.time() // 86400)  # a link mailed before the switch to itsdangerous, now expired
    token = legacy_unsubscribe_token(cid, SECRET.encode(), day - UNSUBSCRIBE_DAYS - 1)
    r = client.post(f"/unsubscribe?token={token}&lang=en", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 410 and "expired" in r.text and "recent email" in r.text
    zh = client.post(f"/unsubscribe?token={token}&lang=zh", data={"List-Unsubscribe": "One-Click"})
    assert zh.status_code == 410 and "已过期" in zh.text and "最近一封" in zh.text
    assert client.get(f"/unsubscribe?token={token}").status_code == 410
    with _db(archive).session() as s:
        assert s.get(Channel, cid).active is True


def test_an_unsubscribe_link_made_the_old_way_still_works(client, archive):
    cid = _email_channel(archive, "oldway@example.org")
    token = legacy_unsubscribe_token(cid, SECRET.encode())
    r = client.post(f"/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and r.text.strip() == "unsubscribed"
    with _db(archive).session() as s:
        assert s.get(Channel, cid).active is False


def test_unsubscribe_get_confirms_before_acting(client, archive):
    cid = _email_channel(archive, "browser@example.org")
    token = sign(cid, SECRET.encode())
    page = client.get(f"/unsubscribe?token={token}")
    assert page.status_code == 200 and "browser@example.org" in page.text
    with _db(archive).session() as s:
        assert s.get(Channel, cid).active is True  # a GET (a mail scanner) changes nothing
    assert client.post("/unsubscribe", data={"token": token}).status_code == 403  # no CSRF token
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    done = client.post("/unsubscribe", data={"token": token, "csrf": csrf})
    assert done.status_code == 200 and "已退订" in done.text
    with _db(archive).session() as s:
        assert s.get(Channel, cid).active is False


def test_admin_login_rate_limit_and_retry(archive):
    with archive.client() as c:
        assert "登录" in c.get("/admin").text
        assert c.get("/admin/dead", follow_redirects=False).status_code == 303  # not logged in
        token = _csrf(c, "/admin")
        assert c.post("/admin/login", data={"password": ADMIN_PASSWORD}).status_code == 403  # no CSRF
        assert c.post("/admin/login", data={"csrf": token, "password": "wrong"}).status_code == 401
        r = c.post("/admin/login", data={"csrf": token, "password": ADMIN_PASSWORD}, follow_redirects=False)
        assert r.status_code == 303
        subs = c.get("/admin/subscribers")
        assert subs.status_code == 200 and "oneclick@example.org" in subs.text
        with _db(archive).session() as s:
            ch = s.scalar(select(Channel).where(Channel.address == "browser@example.org"))
            d = Delivery(kind="digest", subscriber_id=ch.subscriber_id, channel_id=ch.id, digest_day=date(2026, 2, 1),
                         digest_items=[], status="dead", attempts=8, last_error="SMTP 451 try later", topics=[])  # fmt: skip
            s.add(d)
            s.commit()
            did = d.id
        dead = c.get("/admin/dead")
        assert "SMTP 451 try later" in dead.text
        r = c.post(
            "/admin/retry", data={"csrf": token, "id": [str(did)], "back": "dead"}, follow_redirects=False
        )
        assert r.status_code == 303
        with _db(archive).session() as s:
            row = s.get(Delivery, did)
            assert row.status == "pending" and row.attempts == 0
        for view in ("pending", "channels", "sources"):
            assert c.get(f"/admin/{view}").status_code == 200
        assert "browser@example.org" in c.get("/admin/channels").text
    with archive.client() as c:
        token = _csrf(c, "/admin")
        codes = [
            c.post("/admin/login", data={"csrf": token, "password": "guess"}).status_code for _ in range(6)
        ]
        assert codes[:4] == [401] * 4 and codes[-1] == 429
        assert c.post("/admin/login", data={"csrf": token, "password": ADMIN_PASSWORD}).status_code == 429


def test_admin_is_off_without_a_password(archive, monkeypatch):
    from tests.web.helpers import free_port, serve

    monkeypatch.delenv("NEWSRADAR_ADMIN_PASSWORD", raising=False)
    other = serve(archive.config, free_port(), admin_password="")
    try:
        with other.client() as c:
            r = c.get("/admin")
            assert r.status_code == 404 and "NEWSRADAR_ADMIN_PASSWORD" in r.text
            assert c.get("/admin/subscribers").status_code == 404
            assert 'href="/admin"' not in c.get("/").text
    finally:
        other.stop()
