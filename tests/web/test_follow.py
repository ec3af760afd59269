"""Follow this search (web): double opt-in by email over the SMTP test server, the "watch added"
mail with its undo link for a confirmed address, the Telegram deep link, and watches on /me."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from newsradar.config import load
from notifiers.tokens import me_url
from storage import Database
from storage import watches as store
from storage.subscribers import add_subscriber, channel
from tests.notifiers.helpers import SECRET
from web.security import SendLimiter


@pytest.fixture(autouse=True)
def _fresh_send_limits(archive):
    """Each test starts with the mail limits unspent (5 mails an hour per client address)."""
    archive.server.config.app.state.mail_limiter = SendLimiter()


def _csrf(text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', text).group(1)


def _db(archive) -> Database:
    return Database(load(archive.config).database_url)


def _link(mail, path: str) -> str:
    url = re.search(rf"(http://\S+{path}\S+)", mail.message.get_body(("plain",)).get_content()).group(1)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _watches(archive, address: str) -> list[str]:
    db = _db(archive)
    with db.session() as s:
        ch = channel(s, "email", address)
        out = [w.query for w in store.list_watches(s, subscriber_id=ch.subscriber_id)] if ch else []
    db.dispose()
    return out


def test_follow_by_email_double_opt_in_then_added_mail_with_undo(client, archive, smtp):
    page = client.get("/search?q=数字人民币")
    assert 'action="/follow"' in page.text and "关注此搜索" in page.text
    csrf = _csrf(page.text)
    r = client.post("/follow", data={"csrf": csrf, "q": "数字人民币", "email": "follower@example.org"})
    assert r.status_code == 200 and "follower@example.org" in r.text
    assert _watches(archive, "follower@example.org") == []  # nothing stored before the confirmation
    mail = smtp.to("follower@example.org")[-1]
    assert (
        "确认" in mail.message["Subject"] and "数字人民币" in mail.message.get_body(("plain",)).get_content()
    )
    done = client.get(_link(mail, "/follow/confirm"))
    assert done.status_code == 200 and "数字人民币" in done.text and "/me?token=" in done.text
    assert _watches(archive, "follower@example.org") == ["数字人民币"]

    # Confirmed now: a second search is added at once, and the mail says how to undo it.
    before = len(smtp.to("follower@example.org"))
    r = client.post(
        "/follow", data={"csrf": csrf, "q": '"数字资产交易场所"', "email": "follower@example.org"}
    )
    assert r.status_code == 200
    assert _watches(archive, "follower@example.org") == ["数字人民币", '"数字资产交易场所"']
    added = smtp.to("follower@example.org")
    assert len(added) == before + 1 and "已关注" in added[-1].message["Subject"]
    undo = _link(added[-1], "/follow/undo")
    ask = client.get(undo)  # a GET only asks (mail scanners open links)
    assert ask.status_code == 200 and _watches(archive, "follower@example.org") == [
        "数字人民币",
        '"数字资产交易场所"',
    ]
    token = parse_qs(urlsplit(undo).query)["token"][0]
    gone = client.post("/follow/undo", data={"csrf": _csrf(ask.text), "token": token})
    assert gone.status_code == 200 and "已删除关注" in gone.text
    assert _watches(archive, "follower@example.org") == ["数字人民币"]


def test_follow_refuses_what_search_refuses_and_needs_csrf(client, archive, smtp):
    csrf = _csrf(client.get("/search?q=数字人民币").text)
    before = len(smtp.messages)
    assert client.post("/follow", data={"q": "数字人民币", "email": "x@example.org"}).status_code == 403
    only_minus = client.post("/follow", data={"csrf": csrf, "q": "-冬奥", "email": "x@example.org"})
    assert only_minus.status_code == 400 and "exclusion" in only_minus.text.lower()
    too_long = client.post("/follow", data={"csrf": csrf, "q": "央行" * 300, "email": "x@example.org"})
    assert too_long.status_code == 400
    bad_mail = client.post("/follow", data={"csrf": csrf, "q": "央行", "email": "nope"})
    assert bad_mail.status_code == 400
    assert len(smtp.messages) == before


def test_follow_in_telegram_sends_the_browser_to_the_bots_deep_link(client):
    page = client.get("/search?q=数字人民币&topic=digital_currency")
    assert 'action="/follow/telegram"' in page.text
    r = client.post(
        "/follow/telegram", data={"csrf": _csrf(page.text), "q": "数字人民币", "topic": "digital_currency"}
    )
    assert r.status_code == 303
    link = urlsplit(r.headers["location"])
    assert (link.scheme, link.netloc, link.path) == ("https", "t.me", "/newsradar_test_bot")
    code = parse_qs(link.query)["start"][0]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code)  # what Telegram accepts after ?start=


def test_watches_on_me_add_edit_pause_delete_and_only_ones_own(client, archive):
    db = _db(archive)
    with db.session() as s:
        sub = add_subscriber(s, channels=[("email", "watcher@example.org")], topics=[])
        other = add_subscriber(s, channels=[("email", "other-watcher@example.org")], topics=[])
        theirs = store.add_watch(s, other.id, "央行").id
        s.commit()
        sid = sub.id
    link = urlsplit(me_url(archive.url, sid, SECRET.encode()))
    csrf = _csrf(client.get(f"{link.path}?{link.query}&lang=zh").text)
    assert client.post("/me/watches", data={"csrf": csrf, "query": "北三县 轨道交通"}).status_code == 303
    bad = client.post("/me/watches", data={"csrf": csrf, "query": "-冬奥"})
    assert bad.status_code == 400 and "北三县 轨道交通" in bad.text  # the page again, with search's message
    with db.session() as s:
        (mine,) = store.list_watches(s, subscriber_id=sid)
    assert client.post(f"/me/watches/{mine.id}", data={"csrf": csrf, "query": "CBDC 跨境"}).status_code == 303
    assert client.post(f"/me/watches/{mine.id}/pause", data={"csrf": csrf, "paused": "1"}).status_code == 303
    shown = client.get("/me?lang=zh")
    assert "CBDC 跨境" in shown.text and "30 天命中 0 条" in shown.text and "（已暂停）" in shown.text
    assert client.post(f"/me/watches/{theirs}/delete", data={"csrf": csrf}).status_code == 400  # not theirs
    edit_theirs = client.post(f"/me/watches/{theirs}", data={"csrf": csrf, "query": "hijack"})
    assert edit_theirs.status_code == 400
    assert client.post(f"/me/watches/{mine.id}/delete", data={"csrf": csrf}).status_code == 303
    with db.session() as s:
        assert store.list_watches(s, subscriber_id=sid) == []
        assert store.get_watch(s, theirs).query == "央行"
    db.dispose()


def test_backfill_box_queues_the_most_recent_matches_once(client, archive, smtp):
    from sqlalchemy import select

    from storage import Delivery
    from web.follow import BACKFILL

    db = _db(archive)
    with db.session() as s:
        sid = add_subscriber(s, channels=[("email", "backfill@example.org")], topics=[]).id
        s.commit()
    csrf = _csrf(client.get("/search?q=数字人民币").text)
    r = client.post(
        "/follow", data={"csrf": csrf, "q": "数字人民币", "email": "backfill@example.org", "backfill": "1"}
    )
    assert r.status_code == 200
    with db.session() as s:
        (watch,) = store.list_watches(s, subscriber_id=sid)
        rows = s.scalars(select(Delivery).where(Delivery.subscriber_id == sid)).all()
        stories = {d.story_id for d in rows}
    assert len(stories) == BACKFILL and all(watch.id in (d.watches or []) for d in rows)
    db.dispose()


def test_a_mail_that_cannot_be_sent_is_said_and_nothing_is_half_done(client, archive, smtp):
    db = _db(archive)
    with db.session() as s:
        add_subscriber(s, channels=[("email", "known@example.org")], topics=[])
        s.commit()
    db.dispose()
    csrf = _csrf(client.get("/search?q=数字人民币&lang=zh").text)
    smtp.refuse(times=1)  # a new address: no confirmation mail, so nothing is stored and the page says so
    r = client.post("/follow", data={"csrf": csrf, "q": "央行", "email": "unsent@example.org"})
    assert r.status_code == 503 and "邮件未能发送" in r.text and _watches(archive, "unsent@example.org") == []
    smtp.refuse(times=1)  # a confirmed address: the watch exists, and the page says its notice did not go
    r = client.post("/follow", data={"csrf": csrf, "q": "央行", "email": "known@example.org"})
    assert (
        r.status_code == 200
        and "通知邮件未能发送" in r.text
        and _watches(archive, "known@example.org") == ["央行"]
    )
