"""The archive pages and API on PostgreSQL: the same fixture archive, the same answers."""

import pytest

from tests.web.helpers import fill, free_port, serve, write_config

pytestmark = pytest.mark.postgres


def test_pages_and_api_on_postgresql(tmp_path, pg_database, monkeypatch):
    from tests.notifiers.helpers import SECRET

    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(text.split("\n", 2)[1], f'url = "{pg_database}"'), encoding="utf-8")
    assert "postgresql" in config.read_text(encoding="utf-8")
    fill(config)
    served = serve(config, free_port())
    try:
        with served.client() as c:
            home = c.get("/")
            assert home.status_code == 200 and "第0号 digital_currency 新闻" in home.text
            assert "其他新闻0" in c.get("/?all=1&from=2000-01-01").text
            topic = c.get("/topics/digital_currency").text
            assert topic.split("<svg", 1)[1].count("<rect") >= 6
            ids, cursor = [], None
            while True:
                page = c.get(
                    "/api/v1/stories", params={"limit": 4, **({"cursor": cursor} if cursor else {})}
                ).json()
                ids += [s["id"] for s in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            assert len(ids) == len(set(ids)) == page["total"]
            per_day = c.get("/api/v1/topics/sub_center").json()["per_day"]
            assert sum(d["stories"] for d in per_day) >= 6
            assert c.get("/stories/99999").status_code == 404
            # past INTEGER (PostgreSQL refuses it in a query) and outside datetime: 4xx, never a 500
            for path in ("/stories/99999999999", "/api/v1/articles/2147483648", "/?to=9999-12-31",
                         "/api/v1/stories?from=0001-01-01"):  # fmt: skip
                assert 400 <= c.get(path).status_code < 500, path
            # a session opened on PostgreSQL closes there
            from tests.web.helpers import admin_login

            served_admin = serve(config, free_port(), admin_password="correct horse")
            try:
                with served_admin.client() as a:
                    csrf = admin_login(a)
                    assert a.get("/admin/subscribers").status_code == 200
                    a.post("/admin/logout", data={"csrf": csrf})
                    assert a.get("/admin/subscribers", follow_redirects=False).status_code == 303
            finally:
                served_admin.stop()
    finally:
        served.stop()
