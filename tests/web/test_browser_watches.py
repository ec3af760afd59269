"""Follow a search in real headless Chromium: search → follow by email → confirm from the mail →
an alert for a new matching story (with its /me link) → /me → remove the watch."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest

from newsradar.config import load
from newsradar.context import Context
from processor import ArticleData, Ingestor
from storage import Database
from storage import watches as store
from storage.subscribers import channel
from tests.helpers import CHROMIUM, run_cli
from tests.notifiers.helpers import SECRET, _filler

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: browser tests skipped"
)
ADDRESS = "browser-follower@example.org"
QUERY = "北三县 轨道交通"


def _text(mail) -> str:
    return mail.message.get_body(("plain",)).get_content()


def _watches(archive) -> list[tuple[int, str]]:
    db = Database(load(archive.config).database_url)
    with db.session() as s:
        ch = channel(s, "email", ADDRESS)
        out = [(w.id, w.query) for w in store.list_watches(s, subscriber_id=ch.subscriber_id)] if ch else []
    db.dispose()
    return out


def _alert(archive, smtp) -> list:
    """A new story the watch matches: the real ingest queues it, the real dispatcher mails it."""
    ctx = Context(str(archive.config))
    with ctx.db().session() as s:
        Ingestor(ctx.matcher()).ingest(s, ArticleData(
            source="bj-yaowen", url="https://example.gov.cn/beisanxian-rail.html", title="北三县轨道交通线路开工",
            body_text=f"{_filler(7777)}。北三县与通州之间的轨道交通线路今日开工。{_filler(7778)}",
            published_at=datetime.now(UTC),
        ))  # fmt: skip
    ctx.db().dispose()
    out = run_cli("dispatch", "--once", config=archive.config, env={"NEWSRADAR_SECRET_KEY": SECRET})
    assert out.returncode == 0, out.stdout + out.stderr
    return [m for m in smtp.to(ADDRESS) if "北三县轨道交通线路开工" in _text(m)]


def test_search_follow_confirm_alert_me_remove(browser, archive, smtp):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(f"{archive.url}/search?q={QUERY}&lang=zh")
    follow = page.locator("form.follow[action='/follow']")
    assert follow.count() == 1 and "关注此搜索" in page.locator("#follow-h").inner_text()
    follow.locator("input[name=email]").fill(ADDRESS)
    follow.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert ADDRESS in page.locator("main").inner_text() and _watches(archive) == []
    (mail,) = smtp.to(ADDRESS)
    page.goto(re.search(r"(http://\S+/follow/confirm\?token=\S+)", _text(mail)).group(1))
    assert QUERY in page.locator("main").inner_text()
    assert [q for _, q in _watches(archive)] == [QUERY]

    alerts = _alert(archive, smtp)
    assert len(alerts) == 1, [m.message["Subject"] for m in smtp.to(ADDRESS)]
    me_link = re.search(r"(http://\S+/me\?token=\S+)", _text(alerts[0])).group(1)

    page.goto(me_link)
    assert page.locator("h1").inner_text() == "我的订阅"
    item = page.locator("li.watch")
    assert item.count() == 1 and item.locator("input[name=query]").input_value() == QUERY
    assert "30 天命中 1 条" in item.inner_text()
    item.locator("form[action$='/delete'] button").click()
    page.wait_for_url(re.compile(r"/me\?done=watch_removed"))
    assert "已删除关注" in page.locator("main").inner_text() and page.locator("li.watch").count() == 0
    assert _watches(archive) == []
    context.close()
