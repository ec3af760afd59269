"""Every page of the archive a person can reach, for the tests that walk them all (languages,
accessibility, phone overflow): the fixture archive plus a subscriber, a digest, signed links, a
route that crashes (the 500 page), and the admin pages behind a real login."""

from __future__ import annotations

import re
import time
from datetime import date

from fastapi import Request
from sqlalchemy import select

from newsradar.config import load
from notifiers.tokens import UNSUBSCRIBE_DAYS, me_url, sign
from storage import Database, Delivery, StoryTopic
from storage.health import record_run
from storage.subscribers import add_subscriber
from storage.watches import add_watch
from tests.notifiers.helpers import SECRET, legacy_unsubscribe_token
from tests.web.conftest import ADMIN_PASSWORD

DIGEST_DAY = date(2026, 1, 5)


def _boom(request: Request) -> None:
    raise RuntimeError("a crash the 500 page must hide")


def pages(archive) -> list[tuple[str, str]]:
    """(name, path) of every page kind, made once per archive (a subscriber and links are added)."""
    if getattr(archive, "walk", None):
        return archive.walk
    app = archive.server.config.app
    if not any(getattr(r, "path", "") == "/__boom" for r in app.router.routes):
        app.add_api_route("/__boom", _boom, include_in_schema=False)
    db = Database(load(archive.config).database_url)
    with db.session() as s:
        sub = add_subscriber(
            s,
            name="读者",
            channels=[
                ("email", "walk@example.org"),
                ("email", "a-rather-long-mailbox-name.for-phones@subscribers.example.org"),
            ],
            topics=["fintech", "sub_center"],
        )
        add_watch(s, sub.id, '数字人民币 "试点" -冬奥', topics=["digital_currency"])  # /me and admin list it
        story = s.scalar(select(StoryTopic.story_id).limit(1))
        s.add(Delivery(kind="digest", subscriber_id=sub.id, channel_id=sub.channels[0].id, digest_day=DIGEST_DAY,
                       digest_items=[[story, ["sub_center"]]], status="sent", topics=["sub_center"]))  # fmt: skip
        long_url = (
            "https://finews.example/category/beijingshirenminzhengfuguanwang/2026/01/05/a-long-page-name.html"
        )
        for _ in range(2):  # a failing source whose note carries a long error (a phone must not overflow)
            record_run(s, "finews-feed", {"requests": 1}, first_error=f"HTTP 503 at {long_url}")
        s.add(Delivery(kind="instant", subscriber_id=sub.id, channel_id=sub.channels[0].id, story_id=story,
                       status="dead", attempts=5, topics=["sub_center"],
                       last_error=f"SMTPRecipientsRefused: 550 mailbox unavailable for walk@example.org via {long_url}"))  # fmt: skip
        s.commit()
        cid, sid = sub.channels[0].id, sub.id
    db.dispose()
    keys = app.state.keys
    unsub = sign(cid, SECRET.encode())
    day = int(time.time() // 86400)  # an old-format link, long expired
    expired = legacy_unsubscribe_token(cid, SECRET.encode(), day - UNSUBSCRIBE_DAYS - 1)
    confirm = keys.dumps("confirm", {"e": "walk@example.org", "t": ["fintech"], "m": "both"})
    with archive.client() as c:
        home = c.get("/").text
        digest_token = re.search(
            r'href="[^"]*/digests\?token=([^"&]+)"', c.get(f"/subscribe/confirm?token={confirm}").text
        )
    story_ids = [int(x) for x in re.findall(r'href="/stories/(\d+)"', home)]
    copied = _story_with_copies(archive, story_ids)
    article = archive.ids["https://example.gov.cn/zhengce/1.html"]
    dt = digest_token.group(1) if digest_token else ""
    me = me_url("", sid, SECRET.encode())
    undo = keys.dumps("watch-undo", 1)
    archive.walk = [
        ("home", "/"), ("home-all", "/?all=1"), ("search", "/search?q=数字人民币"), ("search-empty", "/search"),
        ("story", f"/stories/{copied}"), ("topic", "/topics/digital_currency"), ("topics", "/topics"),
        ("sources", "/sources"), ("article", f"/articles/{article}"), ("subscribe", "/subscribe"),
        ("confirm", f"/subscribe/confirm?token={confirm}"), ("unsubscribe", f"/unsubscribe?token={unsub}"),
        ("digests", f"/digests?token={dt}"), ("digest", f"/digests/{DIGEST_DAY}?token={dt}"),
        ("me", me), ("follow-undo", f"/follow/undo?token={undo}"),
        ("admin-login", "/admin"), ("admin-subscribers", "/admin/subscribers"), ("admin-dead", "/admin/dead"),
        ("admin-pending", "/admin/pending"), ("admin-watches", "/admin/watches"), ("admin-channels", "/admin/channels"), ("admin-sources", "/admin/sources"),
        ("404", "/stories/999999"), ("410", f"/unsubscribe?token={expired}"), ("500", "/__boom"),
    ]  # fmt: skip
    return archive.walk


def _story_with_copies(archive, story_ids: list[int]) -> int:
    """The story the republished copy joined (two sources), else the first one listed."""
    with archive.client() as c:
        for sid in dict.fromkeys(story_ids):
            if c.get(f"/stories/{sid}").text.count('href="/articles/') >= 3:
                return sid
    return story_ids[0]


def admin_cookies(archive) -> list[dict]:
    """Log in through the form (CSRF and all) and return the admin cookie for a browser context."""
    with archive.client() as c:
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/admin").text).group(1)
        r = c.post("/admin/login", data={"csrf": csrf, "password": ADMIN_PASSWORD})
        assert r.status_code == 303, r.text
        return [{"name": k, "value": v, "url": archive.url} for k, v in c.cookies.items()]
