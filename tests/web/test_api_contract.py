"""The API's contract holds against the live server: what /api/v1/openapi.json documents is what
the server answers (schemathesis), one error shape, no cookies, validators and 304s, gzip."""

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

ERROR_KEYS = {"error", "status"}


def _error(r, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == ERROR_KEYS and body["status"] == status, body
    return body["error"]


def test_schemathesis_finds_no_failures(archive, tmp_path):
    """`schemathesis run` (every check, bounded examples, fixed seed) against the served fixture
    archive; 17 failures before the models, documented errors, Allow and date formats."""
    tool = Path(sys.executable).with_name("schemathesis")
    assert tool.exists(), f"{tool} is missing: schemathesis is a dev dependency (make setup)"
    command = [
        str(tool), "run", f"{archive.url}/api/v1/openapi.json", "-n", "30", "--seed", "42", "-c", "all",
        "-w", "2", "--request-timeout", "20", "--no-color",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", report)
    assert "No issues found" in report and selected and selected[1] == selected[2], report[-3000:]


def test_openapi_documents_models_errors_and_formats(client):
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # validation problems answer 400, not 422
    for path, methods in spec["paths"].items():
        responses = methods["get"]["responses"]
        assert set(responses) == {"200", "400", "404"}, (path, set(responses))
        for status in ("400", "404"):
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ApiError"
            }
        ok = responses["200"]["content"]["application/json"]["schema"]
        assert ok.get("$ref", "").startswith("#/components/schemas/"), (path, ok)  # not a free-form object
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/stories"]["get"]["parameters"]}
    assert params["from"]["format"] == "date" and params["to"]["format"] == "date"
    assert "pattern" in params["cursor"]["anyOf"][0]
    q = next(p for p in spec["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "q")
    assert q["required"] and q["schema"]["minLength"] == 1
    published = schemas["Article"]["properties"]["published_at"]["anyOf"][0]
    assert published == {"type": "string", "format": "date-time"}
    assert schemas["DayCount"]["properties"]["day"]["format"] == "date"
    search_item = schemas["SearchItem"]["properties"]
    assert {"story_id", "copies", "article_id", "title"} <= set(search_item)


@pytest.mark.parametrize(
    "path, status, words",
    [
        ("/api/v1/stories?from=0000000000", 400, "not a date"),
        ("/api/v1/stories?from=2025-02-30", 400, "not a date"),
        ("/api/v1/stories?from=1899-12-31", 400, "not a date"),
        ("/api/v1/stories?from=2025-3-1", 400, "not a date"),
        ("/api/v1/articles?to=%EF%BC%92025-03-01", 400, "not a date"),  # a full-width digit
        ("/api/v1/stories?from=2025-03-02&to=2025-03-01", 404, "before from"),
        ("/api/v1/search?q=", 400, "q"),
        ("/api/v1/search?q=-%E9%80%9A%E5%B7%9E", 400, "cannot be searched"),  # only an exclusion
        ("/api/v1/search?q=a+b+c+d+e+f+g+h+i+j+k+l+m", 400, "at most 11 more"),
        ("/api/v1/search", 400, "q"),
        ("/api/v1/stories?cursor=AAAA", 404, "cursor"),  # well-formed, never handed out
        ("/api/v1/search?q=a&cursor=AAAA", 404, "cursor"),
        ("/api/v1/articles/0", 404, "not an id"),
        ("/api/v1/articles/99999999999", 404, "not an id"),
        ("/api/v1/stories/1.5", 404, "not an id"),
        ("/api/v1/topics/" + "x" * 101, 404, "topic_id"),
    ],
)
def test_refusals_share_one_shape(client, path, status, words):
    assert words in _error(client.get(path), status)


def test_date_range_filters(client):
    everything = client.get("/api/v1/stories", params={"limit": 100}).json()
    some = client.get("/api/v1/stories", params={"from": "1900-01-01", "to": "2999-12-31", "limit": 100})
    assert some.status_code == 200 and some.json()["total"] == everything["total"]
    none = client.get("/api/v1/stories", params={"to": "2000-01-01"}).json()
    assert none["total"] == 0 and none["items"] == []


def test_405_says_which_methods_are_allowed(client):
    r = client.request("TRACE", "/api/v1/search")
    assert _error(r, 405)
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET"}
    assert client.post("/api/v1/topics").headers["allow"]


def test_api_and_feeds_set_no_cookie_but_pages_do(client):
    for path in (
        "/api/v1/stories",
        "/api/v1/topics?lang=en",
        "/api/v1/openapi.json",
        "/api/v1/nothing",
        "/feeds/fintech.atom",
        "/static/style.css",
    ):
        r = client.get(path)
        assert "set-cookie" not in r.headers, path
    assert "nr_csrf=" in client.get("/subscribe").headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "path", ["/feeds/digital_currency.atom", "/api/v1/stories?limit=5", "/api/v1/topics"]
)
def test_etag_and_304_let_clients_poll_cheaply(client, path):
    first = client.get(path)
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('W/"')
    assert "max-age=" in first.headers["cache-control"]
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = client.get(path, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_errors_are_not_cached_as_pages(client):
    r = client.get("/api/v1/stories/123456")
    assert r.status_code == 404 and "etag" not in r.headers and "cache-control" not in r.headers


def test_large_responses_are_gzipped_small_ones_and_pages_not(client):
    big = client.get("/api/v1/topics", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip" and "accept-encoding" in big.headers["vary"].lower()
    assert int(big.headers["content-length"]) < len(big.content)  # httpx decoded it
    raw = client.build_request("GET", "/feeds/digital_currency.atom", headers={"Accept-Encoding": "gzip"})
    streamed = client.send(raw, stream=True)
    body = b"".join(streamed.iter_raw())
    assert streamed.headers["content-encoding"] == "gzip" and gzip.decompress(body).startswith(b"<?xml")
    tiny = client.get("/api/v1/nothing", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in tiny.headers
    page = client.get("/", headers={"Accept-Encoding": "gzip"})  # CSRF tokens beside reflected input
    assert "content-encoding" not in page.headers


@pytest.mark.parametrize(
    "lang, words", [("zh", "政府与金融新闻档案"), ("en", "archive of Chinese government and finance news")]
)
def test_every_page_has_a_meta_description(client, lang, words):
    for path in ("/", "/search?q=数字人民币", "/topics", "/sources", "/subscribe", "/nothing-here"):
        html = client.get(path, params={"lang": lang}).text
        assert '<meta name="description" content="' in html and words in html, path
