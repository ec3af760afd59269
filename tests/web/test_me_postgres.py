"""/me, its watch forms and the Telegram deep-link store on PostgreSQL: the same answers as SQLite."""

import re
from urllib.parse import urlsplit

import pytest

from tests.web.helpers import fill, free_port, serve, write_config

pytestmark = pytest.mark.postgres


def test_me_and_follow_links_on_postgresql(tmp_path, pg_database, monkeypatch):
    from newsradar.config import load
    from notifiers.follow_links import deep_link, take_follow
    from notifiers.tokens import me_url
    from storage import Database
    from storage import watches as store
    from storage.subscribers import add_subscriber
    from tests.notifiers.helpers import SECRET

    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(text.split("\n", 2)[1], f'url = "{pg_database}"'), encoding="utf-8")
    fill(config)
    db = Database(load(config).database_url)
    with db.session() as s:
        sid = add_subscriber(s, channels=[("email", "pg@example.org")], topics=["fintech"]).id
        url = deep_link(
            s, SECRET.encode(), "newsradar_bot", {"q": "数字人民币", "topics": [], "sources": [], "b": 0}
        )
        s.commit()
    code = re.search(r"start=(\S+)", url).group(1)
    with db.session() as s:
        assert take_follow(s, SECRET.encode(), code)[0]["q"] == "数字人民币"
        s.commit()
    with db.session() as s:
        assert take_follow(s, SECRET.encode(), code) == (None, "expired")  # once
    served = serve(config, free_port())
    try:
        with served.client() as c:
            link = urlsplit(me_url(served.url, sid, SECRET.encode()))
            page = c.get(f"{link.path}?{link.query}&lang=zh")
            assert page.status_code == 200 and "pg@example.org" in page.text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            assert c.post("/me/watches", data={"csrf": csrf, "query": "北三县 轨道交通"}).status_code == 303
            assert "北三县 轨道交通" in c.get("/me").text and "30 天命中 0 条" in c.get("/me").text
    finally:
        served.stop()
    with db.session() as s:
        assert [w.query for w in store.list_watches(s, subscriber_id=sid)] == ["北三县 轨道交通"]
    db.dispose()
