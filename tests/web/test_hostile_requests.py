"""Malformed parameters are 4xx with a message, never a 500 (issue 23, defect 5), and redirects never
echo a forged Host header (defect 7).

The property test enumerates the app's own routes and their declared path and query parameters
(plus the query names handlers read from `request.query_params`), so a new route or parameter is
covered without editing this file.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.helpers import admin_login, app_routes

WEB = Path(__file__).resolve().parents[2] / "web"


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


YEAR_ONE = _cursor("0001-01-01T00:00:00+08:00|5")
HUGE_ID = _cursor("2025-01-01T00:00:00+08:00|" + "9" * 30)


@pytest.mark.parametrize(
    "path",
    [
        "/stories/%C2%B2",
        "/articles/%C2%B2",
        "/api/v1/stories/%C2%B2",
        "/api/v1/articles/%C2%B2",
        "/stories/99999999999",
        "/?page=%C2%B2",
        "/?page=%EF%BC%91",  # a fullwidth one
        "/unsubscribe?token=%C2%B2.1.abc",
        "/unsubscribe?token=1.%C2%B2.abc",
        "/?from=0001-01-01",
        "/?to=9999-12-31",
        "/api/v1/articles?from=0001-01-01",
        "/api/v1/stories?to=9999-12-31",
        "/api/v1/search?q=%E6%95%B0%E5%AD%97&to=9999-12-31",
        "/search?q=%E6%95%B0%E5%AD%97&from=0001-01-01",
        "/feeds/search.atom?q=%E6%95%B0%E5%AD%97&to=9999-12-31",
        "/feeds/search.atom?q=%E6%95%B0%E5%AD%97&from=0001-01-01",
        f"/api/v1/stories?cursor={YEAR_ONE}",
        f"/api/v1/articles?cursor={YEAR_ONE}",
        f"/api/v1/stories?cursor={HUGE_ID}",
        f"/api/v1/articles?cursor={HUGE_ID}",
    ],
)
def test_malformed_parameters_are_a_clear_4xx(client, path):
    r = client.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:300])
    assert "internal error" not in r.text and "Traceback" not in r.text


def test_retry_form_with_a_superscript_id_is_a_400(archive, client):
    csrf = admin_login(client)
    r = client.post("/admin/retry", data={"csrf": csrf, "id": "²"})
    assert r.status_code == 400 and "whole number" in r.text


# -- every route, every parameter, arbitrary strings ---------------------------------------------

_READ = re.compile(r"""(?:query_params|\bq|\bqp)\.get\(\s*["']([\w-]+)["']""")
AWKWARD = [
    "", "²", "¹²³", "١", "0", "-1", "+1", " 1", "1_000", "1e3", "9" * 30, "0001-01-01", "9999-12-31",
    "2025-02-30", "20250301", "2025-W01-1", YEAR_ONE, HUGE_ID, "\x00", "\ufffe", "\u202e", "%", "../..",
    "a" * 5000, "1.2.3", "2147483648", "9223372036854775808",
]  # fmt: skip


def _handler_reads() -> set[str]:
    """Query names read by hand (request.query_params.get) anywhere in web/."""
    names: set[str] = set()
    for path in WEB.glob("*.py"):
        names |= set(_READ.findall(path.read_text(encoding="utf-8")))
    return names


def routes_and_params() -> list[tuple[str, str, list[str], list[str]]]:
    """(method, path template, path params, query params) for every route of the app."""
    extra = sorted(_handler_reads() | {"page", "lang", "cursor", "token", "from", "to"})
    out = []
    for route in app_routes():
        path_params = [p.alias for p in route.dependant.path_params]
        declared = [p.alias for p in route.dependant.query_params]
        for method in sorted(route.methods):
            out.append((method, route.path, path_params, sorted(set(declared) | set(extra))))
    return out


def test_the_route_enumeration_sees_the_routes_and_their_parameters(archive):
    found = routes_and_params()
    paths = {p for _, p, _, _ in found}
    assert {"/stories/{story_id}", "/api/v1/articles", "/feeds/{topic_id}.atom", "/unsubscribe"} <= paths
    api_articles = next(q for m, p, _, q in found if p == "/api/v1/articles")
    assert {"from", "to", "cursor", "limit", "topic", "source"} <= set(api_articles)
    assert {"page", "q", "all"} <= set(next(q for m, p, _, q in found if p == "/"))


ROUTES = routes_and_params()
values = st.one_of(
    st.sampled_from(AWKWARD), st.text(max_size=40), st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}\Z")
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_route_answers_5xx_to_any_parameter_value(archive, data):
    method, template, path_params, query_params = data.draw(st.sampled_from(ROUTES))
    path = template
    for name in path_params:
        path = path.replace("{" + name + "}", quote(data.draw(values, label=name), safe=""))
    chosen = (
        data.draw(st.lists(st.sampled_from(query_params), unique=True, max_size=4)) if query_params else []
    )
    params = {name: data.draw(values, label=name) for name in chosen}
    with archive.client() as c:
        r = c.request(method, path, params=params, data=params if method == "POST" else None)
    assert r.status_code < 500, (method, path, params, r.status_code, r.text[:300])


# -- defect 7: redirects do not echo the Host header ---------------------------------------------


@pytest.mark.parametrize("path", ["/topics/", "/api/v1/stories/", "/sources/"])
def test_no_redirect_points_at_a_forged_host(client, path):
    r = client.get(path, headers={"Host": "evil.example"})
    location = r.headers.get("location", "")
    assert "evil.example" not in location and "evil.example" not in r.text, (r.status_code, location)
    if r.status_code in (301, 302, 307, 308):
        assert location == path.rstrip("/")  # relative, to the page without the slash


# -- defect 7: an address with a control character never reaches RCPT TO ------------------------


@pytest.mark.parametrize(
    "address",
    ["a\x00b@example.org", "a@example.org\x00", "a@example.org\r\nRCPT TO:<x@evil.example>", "a\rb@example.org",
     "a\x1bb@example.org", "a\x85b@example.org", "a\u202eb@example.org"],
)  # fmt: skip
def test_an_address_with_a_control_character_is_refused_before_smtp(archive, smtp, address):
    from common import is_email

    assert not is_email(address) and not is_email("a@example.org\n")  # `$` let a trailing newline in
    before = len(smtp.messages)
    with archive.client() as c:
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/subscribe").text).group(1)
        # as a browser would post it: the form value is percent-encoded, NUL and CR included
        r = c.post(
            "/subscribe", data={"csrf": csrf, "email": address, "topics": ["sub_center"], "mode": "both"}
        )
    assert r.status_code == 400 and "邮箱地址无效" in r.text  # the page speaks Chinese by default
    assert len(smtp.messages) == before
    assert not [
        m for m in smtp.messages if "evil.example" in " ".join(m.rcpt_tos) or "\x00" in " ".join(m.rcpt_tos)
    ]


def test_a_plain_address_still_gets_its_confirmation(archive, smtp):
    with archive.client() as c:
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/subscribe").text).group(1)
        r = c.post(
            "/subscribe", data={"csrf": csrf, "email": "plain.name+tag@example.org", "topics": ["sub_center"]}
        )
    assert r.status_code == 200
    assert smtp.to("plain.name+tag@example.org")
