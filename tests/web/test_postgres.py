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
    finally:
        served.stop()
