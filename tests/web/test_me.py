"""A subscriber's own page, /me: the signed link from a mail opens it (no password), its forms
need CSRF and the /me cookie, and each change is in the rows the next story's fan-out reads."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from newsradar.config import load
from notifiers.tokens import me_url
from storage import Channel, Database, Subscriber
from storage.subscribers import add_subscriber, get_subscriber
from tests.notifiers.helpers import SECRET


def _db(archive) -> Database:
    return Database(load(archive.config).database_url)


def _subscriber(archive, address: str) -> int:
    db = _db(archive)
    with db.session() as s:
        sub = add_subscriber(
            s,
            name="me",
            channels=[("email", address), ("telegram", str(abs(hash(address)) % 10**9))],
            topics=["fintech"],
        )
        s.commit()
        sid = sub.id
    db.dispose()
    return sid


def _open(client, archive, sid: int) -> str:
    """Open the page through the signed link; the CSRF token of its forms."""
    link = urlsplit(me_url(archive.url, sid, SECRET.encode()))
    r = client.get(f"{link.path}?{link.query}")
    assert r.status_code == 200, r.text[:300]
    assert "nr_me" in r.headers.get("set-cookie", "")
    return re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)


def test_me_without_a_link_says_how_to_get_in(client):
    r = client.get("/me")
    assert r.status_code == 403 and "/me" in r.text and "邮件底部的链接" in r.text
    assert client.get("/me?token=forged").status_code == 403
    assert client.post("/me/pause", data={"paused": "1"}).status_code == 403  # no CSRF, no cookie


def test_me_changes_topics_mode_zone_channels_and_pause(client, archive):
    sid = _subscriber(archive, "me-page@example.org")
    csrf = _open(client, archive, sid)
    page = client.get("/me?lang=en")  # the cookie carries the page on (the language switch has no token)
    assert page.status_code == 200 and "me-page@example.org" in page.text and "Topics you follow" in page.text
    assert client.post("/me/topics", data={"topics": ["sub_center"]}).status_code == 403  # CSRF needed
    r = client.post("/me/topics", data={"csrf": csrf, "topics": ["sub_center", "digital_currency", "nope"]})
    assert r.status_code == 303 and r.headers["location"] == "/me?done=topics"
    bad = client.post("/me/settings", data={"csrf": csrf, "mode": "digest", "timezone": "Mars/Olympus"})
    assert bad.status_code == 400 and "Mars/Olympus" in bad.text
    ok = client.post("/me/settings", data={"csrf": csrf, "mode": "digest", "timezone": "Europe/Berlin"})
    assert ok.status_code == 303
    db = _db(archive)
    with db.session() as s:
        sub = get_subscriber(s, sid)
        assert sorted(x.topic_id for x in sub.subscriptions) == ["digital_currency", "sub_center"]
        assert (sub.mode, sub.timezone) == ("digest", "Europe/Berlin")
        tg = next(c.id for c in sub.channels if c.kind == "telegram")
    assert (
        client.post("/me/channels", data={"csrf": csrf, "channel": str(tg), "active": "0"}).status_code == 303
    )
    assert client.post("/me/pause", data={"csrf": csrf, "paused": "1"}).status_code == 303
    shown = client.get("/me?done=paused&lang=zh")
    assert "已暂停全部提醒" in shown.text and "恢复全部提醒" in shown.text
    with db.session() as s:
        assert s.get(Subscriber, sid).paused is True
        assert s.get(Channel, tg).active is False and "on /me" in s.get(Channel, tg).deactivated_reason
    db.dispose()


def test_me_cannot_touch_someone_elses_channel_and_unsubscribes_all(client, archive):
    mine, theirs = _subscriber(archive, "mine@example.org"), None
    db = _db(archive)
    with db.session() as s:
        other = add_subscriber(s, channels=[("email", "theirs@example.org")], topics=["fintech"])
        s.commit()
        theirs = other.channels[0].id
    csrf = _open(client, archive, mine)
    r = client.post("/me/channels", data={"csrf": csrf, "channel": str(theirs), "active": "0"})
    assert r.status_code == 404
    assert client.post("/me/unsubscribe-all", data={"csrf": csrf}).status_code == 303
    with db.session() as s:
        assert s.get(Channel, theirs).active is True
        mine_channels = s.scalars(select(Channel).where(Channel.subscriber_id == mine)).all()
        assert mine_channels and not any(c.active for c in mine_channels)
    db.dispose()


def test_changes_on_me_apply_to_the_next_story(client, archive):
    """Topics and watches changed on /me decide the very next stored story's alerts (the real ingest)."""
    from datetime import UTC, datetime

    from newsradar.context import Context
    from processor import ArticleData, Ingestor
    from storage import Delivery
    from storage import watches as store
    from tests.notifiers.helpers import TOPIC_TEXT, _filler

    sid = _subscriber(archive, "next-story@example.org")
    csrf = _open(client, archive, sid)
    ctx = Context(str(archive.config))

    def story(n: int, text: str) -> int:
        """Store a new article; the stories queued for this subscriber so far (one row per channel)."""
        with ctx.db().session() as s:
            Ingestor(ctx.matcher()).ingest(s, ArticleData(
                source="bj-yaowen", url=f"https://example.gov.cn/next/{n}.html", title=f"第{n}号 下一条新闻",
                body_text=f"{_filler(60_000 + n)}。{text}{_filler(61_000 + n)}。", published_at=datetime.now(UTC),
            ))  # fmt: skip
            return len(set(s.scalars(select(Delivery.story_id).where(Delivery.subscriber_id == sid))))

    assert client.post("/me/topics", data={"csrf": csrf}).status_code == 303  # no topic left
    assert story(1, TOPIC_TEXT["fintech"]) == 0
    assert client.post("/me/topics", data={"csrf": csrf, "topics": ["fintech"]}).status_code == 303
    assert story(2, TOPIC_TEXT["fintech"]) == 1
    assert client.post("/me/watches", data={"csrf": csrf, "query": "跨境支付试点"}).status_code == 303
    with ctx.db().session() as s:
        (watch,) = store.list_watches(s, subscriber_id=sid)
    assert client.post(f"/me/watches/{watch.id}/pause", data={"csrf": csrf, "paused": "1"}).status_code == 303
    assert story(3, "数字人民币跨境支付试点扩大到更多城市。") == 1  # paused: nothing new
    assert client.post(f"/me/watches/{watch.id}/pause", data={"csrf": csrf, "paused": "0"}).status_code == 303
    assert story(4, "跨境支付试点再扩容，更多银行加入。") == 2
    ctx.db().dispose()


def test_admin_lists_watches_with_owners_and_30_day_counts(client, archive):
    from storage import StoryTopic
    from storage import watches as store
    from tests.web.helpers import admin_login

    db = _db(archive)
    with db.session() as s:
        sub = add_subscriber(s, name="研究员甲", channels=[("email", "admin-list@example.org")], topics=[])
        watch = store.add_watch(s, sub.id, "数字人民币 -冬奥", topics=["digital_currency"])
        stories = list(
            s.scalars(select(StoryTopic.story_id).where(StoryTopic.topic_id == "digital_currency").limit(3))
        )
        store.record_matches(s, stories[0], [watch.id])
        store.record_matches(s, stories[1], [watch.id])
        s.commit()
        wid = watch.id
    db.dispose()
    assert client.get("/admin/watches").status_code == 303  # logged out: to the login
    admin_login(client)
    page = client.get("/admin/watches?lang=zh").text
    row = re.search(rf"<tr><td>{wid}</td>.*?</tr>", page, re.S).group(0)
    assert "数字人民币 -冬奥" in row and "研究员甲" in row and "数字货币" in row and "<td>2</td>" in row


def test_me_sets_and_clears_the_digest_time_and_rejects_a_bad_one(client, archive):
    sid = _subscriber(archive, "me-time@example.org")
    csrf = _open(client, archive, sid)
    shown = client.get("/me?lang=en")
    assert 'name="digest_time" value=""' in shown.text and "empty: the default," in shown.text
    form = {"csrf": csrf, "mode": "digest", "timezone": "", "digest_time": "25:00"}
    bad = client.post("/me/settings", data=form)
    assert bad.status_code == 400 and "(e.g. 07:30), not 25:00" in bad.text
    db = _db(archive)
    with db.session() as s:
        assert (s.get(Subscriber, sid).digest_time, s.get(Subscriber, sid).mode) == (None, "both")
    assert client.post("/me/settings", data={**form, "digest_time": "07:30"}).status_code == 303
    assert 'name="digest_time" value="07:30"' in client.get("/me").text
    with db.session() as s:
        assert s.get(Subscriber, sid).digest_time == "07:30"
    assert client.post("/me/settings", data={**form, "digest_time": ""}).status_code == 303
    with db.session() as s:
        assert s.get(Subscriber, sid).digest_time is None  # back to [digest] time
    db.dispose()
