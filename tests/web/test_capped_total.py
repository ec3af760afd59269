"""Past storage.archive.TOTAL_CAP matched stories the home page, the topic page and GET
/api/v1/stories say the total is a lower bound (the count stops there instead of reading every
story); below it they keep the exact total. The cap is lowered so the small fixture passes it."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient

from newsradar.config import load
from newsradar.context import Context
from tests.web.helpers import fill, web_config


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web import create_app

    with web_config(tmp_path_factory, "capped") as config:
        fill(config)
        ctx = Context(str(config), out=io.StringIO())
        yield create_app(load(config), db=ctx.db())
        ctx.db().dispose()


def _api(client, **params):
    return client.get("/api/v1/stories", params=params).json()


def test_below_the_cap_the_total_is_exact(app):
    with TestClient(app) as client:
        exact = _api(client)
        assert exact["total"] > 3 and exact["total_capped"] is False
        assert f"共 {exact['total']} 条" in client.get("/").text


def test_past_the_cap_the_total_is_a_lower_bound(app, monkeypatch):
    monkeypatch.setattr("storage.archive.TOTAL_CAP", 3)
    with TestClient(app) as client:
        capped = _api(client)
        assert capped["total"] == 4 and capped["total_capped"] is True
        assert len(capped["items"]) > 0
        home = client.get("/").text
        assert "共 3+ 条" in home and re.search(r"第 1 / \d+\+ 页", home)
        assert 'rel="next"' in home  # a full page past a capped total offers the next one
        topic = re.search(r'href="/topics/([a-z_]+)"', client.get("/topics").text).group(1)
        assert client.get(f"/topics/{topic}").status_code == 200
