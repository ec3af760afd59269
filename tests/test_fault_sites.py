"""The mock sites' injected faults (what bench/faults builds on) do what they say, over real
sockets: a harness that injects nothing measures nothing."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request

import pytest

from tests.mockserver.server import MockSites
from tests.mockserver.sites import Newsroom


@pytest.fixture
def site():
    farm = MockSites()
    farm.sites = [Newsroom("n", 2, lying_charset=True)]
    farm.start()
    yield farm, farm.sites[0]
    farm.stop()


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes, dict]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_each_fault_kind_misbehaves_then_lifts(site):
    farm, news = site
    base, path = farm.urls["n"], news.path(1)
    news.inject(path, "500", times=2)
    assert [get(base + path)[0] for _ in range(3)] == [503, 503, 200]
    news.inject(path, "reset", times=1)
    with pytest.raises((ConnectionResetError, urllib.error.URLError, http.client.RemoteDisconnected)):
        get(base + path)
    news.inject(path, "truncate", times=1)
    with pytest.raises(http.client.IncompleteRead):
        get(base + path)
    news.inject(path, "redirect_loop", times=2)
    status, _, headers = get(base + path)
    assert status == 302 and headers["Location"] == f"{path}?hop=1"
    assert get(f"{base}{path}?hop=1")[2]["Location"] == f"{path}?hop=0"
    news.inject("*", "timeout", times=1)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        get(base + path, timeout=0.5)
    assert get(base + path)[0] == 200
    assert news.faults_served == 7


def test_a_site_goes_away_and_comes_back_with_what_it_published(site):
    farm, news = site
    base = farm.urls["n"]
    farm.take_down("n")
    with pytest.raises(urllib.error.URLError):
        get(base + "/robots.txt")
    new = news.publish()
    farm.bring_back("n")
    assert get(base + new)[0] == 200
    assert news.title(2).encode() in get(base + Newsroom.COLUMN)[1]


def test_the_lying_charset_page_is_gbk_declared_utf8(site):
    farm, news = site
    status, body, headers = get(farm.urls["n"] + news.path(0))
    assert headers["Content-Type"] == "text/html; charset=utf-8" and b'charset="utf-8"' in body
    assert news.title(0) in body.decode("gbk")
