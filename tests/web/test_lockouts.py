"""Rate limits nobody else can trigger for you (issue 23, defect 3): per client address (behind a
trusted proxy, the X-Forwarded-For client), per target email address, a global limit only as a
high ceiling; the admin is never locked out of a correct password from an address that has not
failed; logging out ends the session on the server."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import ADMIN_PASSWORD
from tests.web.helpers import admin_login, free_port, serve, web_config


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, smtp):
    """The archive behind a reverse proxy on 127.0.0.1 ([web] trusted_proxies)."""
    with web_config(tmp_path_factory, "proxied", smtp_port=smtp.port) as config:
        text = config.read_text(encoding="utf-8").replace(
            "page_size = 5\n", 'page_size = 5\ntrusted_proxies = ["127.0.0.1"]\n'
        )
        config.write_text(text, encoding="utf-8")
        served = serve(config, admin_password=ADMIN_PASSWORD)
        yield served
        served.stop()


def _csrf(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/subscribe").text).group(1)


def _login(client, csrf: str, password: str, address: str) -> int:
    r = client.post("/admin/login", data={"csrf": csrf, "password": password},
                    headers={"X-Forwarded-For": f"203.0.113.9, {address}"}, follow_redirects=False)  # fmt: skip
    return r.status_code


def test_failures_from_many_addresses_do_not_lock_out_a_fresh_one(proxied):
    with proxied.client() as c:
        csrf = _csrf(c)
        for n in range(12):  # 60 wrong passwords from twelve addresses
            codes = [_login(c, csrf, "guess", f"198.51.100.{n}") for _ in range(5)]
            assert codes == [401] * 5
        assert _login(c, csrf, "guess", "198.51.100.0") == 429  # the failing address is slowed down
        assert _login(c, csrf, ADMIN_PASSWORD, "198.51.100.0") == 429
        assert _login(c, csrf, ADMIN_PASSWORD, "192.0.2.77") == 303  # an address that has not failed


def test_forwarded_for_is_ignored_from_an_untrusted_peer(archive):
    own = serve(archive.config, free_port(), admin_password=ADMIN_PASSWORD)  # its own limiter
    try:
        with own.client() as c:  # no trusted_proxies: every request is 127.0.0.1, whatever it claims
            csrf = _csrf(c)
            codes = [_login(c, csrf, "guess", f"198.51.100.{n}") for n in range(6)]
            assert codes[:5] == [401] * 5 and codes[5] == 429
            assert _login(c, csrf, ADMIN_PASSWORD, "192.0.2.1") == 429
    finally:
        own.stop()


def _subscribe(client, csrf: str, email: str, address: str) -> int:
    r = client.post("/subscribe", data={"csrf": csrf, "email": email, "topics": ["sub_center"], "mode": "both"},
                    headers={"X-Forwarded-For": address})  # fmt: skip
    return r.status_code


def test_subscribe_limits_are_per_address_and_per_email_not_for_everyone(proxied, smtp):
    with proxied.client() as c:
        csrf = _csrf(c)
        for n in range(5):  # 25 requests from five addresses
            codes = [_subscribe(c, csrf, f"r{n}-{k}@example.org", f"198.51.100.{n}") for k in range(5)]
            assert codes == [200] * 5
            assert _subscribe(c, csrf, f"r{n}-x@example.org", f"198.51.100.{n}") == 429
        assert _subscribe(c, csrf, "newcomer@example.org", "192.0.2.50") == 200  # a new visitor gets in
        codes = [_subscribe(c, csrf, "victim@example.org", f"192.0.2.{60 + k}") for k in range(4)]
        assert codes == [200, 200, 200, 429]  # one mailbox is not flooded from many addresses
        assert len(smtp.to("victim@example.org")) == 3


def test_logging_out_ends_the_session_on_the_server(archive):
    with archive.client() as c:
        csrf = admin_login(c)
        stolen = c.cookies.get("nr_admin", path="/admin")
        assert c.get("/admin/subscribers").status_code == 200
        assert c.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    with archive.client() as other:  # the copied cookie after logout
        other.cookies.set("nr_admin", stolen, path="/admin")
        r = other.get("/admin/subscribers", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin"


def test_a_second_session_survives_the_first_ones_logout(archive):
    with archive.client() as a, archive.client() as b:
        csrf_a = admin_login(a)
        admin_login(b)
        a.post("/admin/logout", data={"csrf": csrf_a})
        assert b.get("/admin/subscribers", follow_redirects=False).status_code == 200


def test_login_ceiling_turns_away_only_addresses_that_failed():
    from web.security import LoginLimiter

    limiter = LoginLimiter(attempts=5, window=600, ceiling=10)
    for n in range(10):
        limiter.failed(f"10.0.0.{n}")
    assert limiter.retry_after("10.0.0.1") > 0  # failed before, ceiling reached
    assert limiter.retry_after("10.0.9.9") == 0  # never failed


def test_send_limiter_counts_nothing_it_refuses():
    from web.security import SendLimiter

    limiter = SendLimiter(per_client=2, per_target=5, ceiling=100)
    assert [limiter.take("a", f"t{n}") for n in range(3)][:2] == [0, 0]
    assert limiter.take("a", "t9") > 0 and limiter.take("b", "t9") == 0


@pytest.mark.parametrize(
    "peer, header, trusted, want",
    [
        ("10.0.0.2", "1.2.3.4", (), "10.0.0.2"),  # not a trusted proxy: the header is the client's word
        ("10.0.0.2", "1.2.3.4", ("10.0.0.0/8",), "1.2.3.4"),
        ("10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.9", ("10.0.0.0/8",), "1.2.3.4"),  # forged head ignored
        ("10.0.0.2", "garbage, 1.2.3.4", ("10.0.0.0/8",), "1.2.3.4"),
        ("10.0.0.2", "not-an-ip", ("10.0.0.0/8",), "10.0.0.2"),
        ("2001:db8::1", None, (), "2001:db8::/64"),
    ],
)
def test_client_address(peer, header, trusted, want):
    import ipaddress

    from web.security import client_address

    nets = tuple(ipaddress.ip_network(n) for n in trusted)
    assert client_address(peer, header, nets) == want
