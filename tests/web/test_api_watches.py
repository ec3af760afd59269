"""The admin JSON routes for watches on the live server: bearer authentication, the API's one error
shape, search's own message for a bad query, the per-subscriber limit, backfill, pause, remove."""

from __future__ import annotations

import pytest

import search
from storage import Database
from storage.subscribers import add_subscriber
from tests.helpers import config_database_url
from tests.notifiers.helpers import SECRET
from tests.web.helpers import fill, serve, write_config

PASSWORD = "correct horse"
AUTH = {"Authorization": f"Bearer {PASSWORD}"}


@pytest.fixture
def served(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    monkeypatch.delenv("NEWSRADAR_CONFIG", raising=False)
    config = write_config(tmp_path, extra="\n[watches]\nmax_per_subscriber = 2\n")
    fill(config)
    db = Database(config_database_url(config))
    with db.session() as s:
        add_subscriber(s, channels=[("console", "a")], topics=[])
        s.commit()
    db.dispose()
    server = serve(config, admin_password=PASSWORD)
    yield server
    server.stop()


def _error(r, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error", "status"} and body["status"] == status
    return body["error"]


def test_admin_watch_routes(served):
    with served.client() as c:
        assert "authentication" in _error(c.get("/api/v1/admin/watches"), 401)
        bad_auth = {"Authorization": "Bearer wrong"}
        _error(
            c.post("/api/v1/admin/watches", json={"subscriber_id": 1, "query": "央行"}, headers=bad_auth), 401
        )
        assert c.get("/api/v1/admin/watches", headers=AUTH).json() == {"items": [], "next_cursor": None}

        only_minus = c.post(
            "/api/v1/admin/watches", json={"subscriber_id": 1, "query": "-通州"}, headers=AUTH
        )
        with pytest.raises(search.QueryError) as refused:
            search.parse_query("-通州")
        assert _error(only_minus, 400) == str(refused.value)
        _error(c.post("/api/v1/admin/watches", json={"subscriber_id": 9, "query": "央行"}, headers=AUTH), 404)
        unknown = {"subscriber_id": 1, "query": "央行", "topics": ["nope"]}
        assert "nope" in _error(c.post("/api/v1/admin/watches", json=unknown, headers=AUTH), 400)

        made = c.post(
            "/api/v1/admin/watches",
            json={"subscriber_id": 1, "query": "数字人民币", "backfill": 2},
            headers=AUTH,
        )
        assert made.status_code == 201, made.text
        item = made.json()
        assert item["query"] == "数字人民币" and item["active"] and item["queued"] == 2
        assert item["matches_30d"] == 2
        second = c.post("/api/v1/admin/watches", json={"subscriber_id": 1, "query": "通州"}, headers=AUTH)
        assert second.status_code == 201
        full = c.post("/api/v1/admin/watches", json={"subscriber_id": 1, "query": "央行"}, headers=AUTH)
        assert "max_per_subscriber" in _error(full, 409)

        wid = item["id"]
        assert c.post(f"/api/v1/admin/watches/{wid}/pause", headers=AUTH).json() == {
            "id": wid,
            "active": False,
        }
        listed = c.get("/api/v1/admin/watches?subscriber=1", headers=AUTH).json()["items"]
        assert [(w["id"], w["active"]) for w in listed] == [(wid, False), (second.json()["id"], True)]
        assert c.delete(f"/api/v1/admin/watches/{wid}", headers=AUTH).status_code == 204
        _error(c.delete(f"/api/v1/admin/watches/{wid}", headers=AUTH), 404)
        assert "/api/v1/admin/watches" not in c.get("/api/v1/openapi.json").json()["paths"]
