"""HTTP-level tests of the archive pages against a real uvicorn server (bad parameters too)."""

import re

import pytest

from web.security import CSP


def _titles(html: str) -> list[str]:
    return re.findall(r'class="title" href="/stories/\d+">([^<]*)<', html)


def test_home_lists_matched_stories_newest_first_with_sources_time_chips_evidence(client):
    r = client.get("/")
    assert r.status_code == 200 and '<html lang="zh-CN">' in r.text
    titles = _titles(r.text)
    assert len(titles) == 5  # page_size
    assert titles[0] == "第0号 digital_currency 新闻" and titles[1] == "恶意页面 数字人民币"  # newest first
    assert not any(t.startswith("其他新闻") for t in titles)
    assert "北京时间" in r.text and 'class="chip"' in r.text and 'class="evidence"' in r.text
    assert 'rel="alternate" type="application/atom+xml"' in r.text


def test_home_toggle_shows_unmatched_stories(client):
    assert "其他新闻0" in client.get("/?all=1").text
    assert "其他新闻0" not in client.get("/").text


def test_home_filters_topic_source_dates_and_pages(client):
    green = client.get("/?topic=green_finance").text
    assert _titles(green) and all("green_finance" in t for t in _titles(green))
    east = client.get("/?source=eastmoney").text
    assert _titles(east) and all(int(re.search(r"第(\d+)号", t).group(1)) % 3 == 0 for t in _titles(east))
    page1, page2 = _titles(client.get("/").text), _titles(client.get("/?page=2").text)
    assert page2 and not set(page1) & set(page2)
    dated = client.get("/?all=1&from=2000-01-01&to=2000-01-02").text
    assert "没有符合条件的新闻" in dated


@pytest.mark.parametrize(
    "path, status, words",
    [
        ("/?page=-1", 400, "page"),
        ("/?page=abc", 400, "page"),
        ("/?page=9999", 404, "only"),
        ("/?from=2025-13-01", 400, "not a date"),
        ("/?from=2025-03-02&to=2025-03-01", 400, "before"),
        ("/?topic=nope", 404, "no topic"),
        ("/?source=nope", 404, "no source"),
        ("/stories/999999", 404, "no story"),
        ("/stories/abc", 404, "not an id"),
        ("/stories/-1", 404, "not an id"),
        ("/articles/999999", 404, "no article"),
        ("/topics/nope", 404, "no topic"),
        ("/no/such/page", 404, "no page"),
        ("/?topic=%ff%fe", 400, "UTF-8"),
    ],
)
def test_bad_requests_get_a_clear_page_never_a_500(client, path, status, words):
    r = client.get(path, headers={"Accept-Language": "en"})  # the English page says exactly why
    assert r.status_code == status, r.text[:300]
    assert words in r.text and "Traceback" not in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_security_headers_on_every_page(client):
    for path in ("/", "/topics/fintech", "/nothing", "/api/v1/topics", "/feeds/fintech.atom"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CSP, path
        assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP and "http" not in CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"


def test_story_page_has_lead_body_highlighted_every_copy_and_evidence(client, archive):
    aid = archive.ids["https://example.gov.cn/green_finance/1.html"]
    r = client.get(f"/articles/{aid}")
    sid = int(re.search(r'href="/stories/(\d+)"', r.text).group(1))
    story = client.get(f"/stories/{sid}").text
    assert "finews-bjgov" in story and "bj-yaowen" in story  # both copies with their source
    assert "https://finews.example/copy-1.html" in story
    assert "<mark>绿色金融</mark>" in story or "<mark>绿色债券</mark>" in story
    assert "匹配依据" in story and "<b>" in story


def test_hostile_body_is_sanitised_on_story_and_article_pages(client, archive):
    aid = archive.ids["https://example.org/hostile.html"]
    article = client.get(f"/articles/{aid}").text
    sid = int(re.search(r'href="/stories/(\d+)"', article).group(1))
    for page in (article, client.get(f"/stories/{sid}").text):
        body = page.split('class="body">', 1)[1]
        assert "<script" not in body and "onclick" not in body and "onerror" not in body
        assert "javascript:" not in body and "<style" not in body and "__pwned" not in body
        assert "正文继续" in body


def test_policy_document_fields_and_attachments(client, archive):
    r = client.get(f"/articles/{archive.ids['https://example.gov.cn/zhengce/1.html']}")
    for text in (
        "发文字号",
        "京政发〔2025〕3号",
        "发文机构",
        "北京市人民政府",
        "成文日期",
        "2025-01-20",
        "有效性",
        "有效",
    ):
        assert text in r.text
    assert 'href="https://example.gov.cn/fj/1.pdf"' in r.text and "附件1：重点任务清单" in r.text


def test_revisions_are_shown(client, archive):
    r = client.get(f"/articles/{archive.ids['https://example.gov.cn/digital_currency/0.html']}")
    assert "修订记录" in r.text and "第0号 digital_currency 新闻" in r.text
    assert "（本文已更新）" in r.text  # the current body


def test_topic_page_chart_counts_and_terms(client):
    r = client.get("/topics/digital_currency")
    assert r.status_code == 200
    svg = r.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count("<rect") >= 6  # 6 fixture days (n = 0, 4, ... 20) + the hostile page's day
    assert "各来源文章数" in r.text and "bj-yaowen" in r.text and "eastmoney" in r.text
    assert "数字人民币" in r.text.split("主题词", 1)[1]
    assert 'href="/feeds/digital_currency.atom"' in r.text


def test_topics_and_sources_pages(client):
    assert all(
        t in client.get("/topics").text
        for t in ("digital_currency", "sub_center", "green_finance", "fintech")
    )
    r = client.get("/sources")
    assert "bj-zhengce" in r.text and "finews-feed" in r.text and "从未" in r.text  # never crawled


def test_english_by_query_cookie_or_accept_language(archive):
    with archive.client() as c:
        assert "Latest matched stories" in c.get("/?lang=en").text
        assert 'lang="en"' in c.get("/").text  # remembered in a cookie
        assert "最新匹配新闻" in c.get("/?lang=zh").text
    with archive.client(headers={"Accept-Language": "en-US,en;q=0.9,zh;q=0.5"}) as c:
        assert "Latest matched stories" in c.get("/").text
    with archive.client(headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}) as c:
        assert "最新匹配新闻" in c.get("/").text


def test_static_assets_are_served_locally(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200 and "text/css" in r.headers["content-type"]
    home = client.get("/").text
    assert "https://" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', home.split("<main>")[0]))


def test_chart_window_follows_an_old_archive(archive):
    from datetime import date

    from newsradar.config import load
    from storage import Database
    from storage.archive import daily_counts

    db = Database(load(archive.config).database_url)
    with db.session() as s:
        recent = daily_counts(s, "fintech", days=90)
        assert sum(n for _, n in recent) == 6 and len(recent) == 90  # n = 3, 7, ... 23: every 8 days
        later = daily_counts(s, "fintech", days=30, today=date(2100, 1, 1))
    assert len(later) == 30 and sum(n for _, n in later) >= 1  # ends on the latest story, not an empty window
    assert later[-1][0] < date(2100, 1, 1)


@pytest.mark.sqlite_only("drops a table through sqlite3 on the .db file")
def test_a_crash_gets_a_plain_500_page_with_the_security_headers(tmp_path):
    """A fault below the app (a table gone from the database) answers a 500 page that says it was
    logged, shows no traceback, and carries the same headers every other page does."""
    import sqlite3

    from tests.web.helpers import fill, serve, write_config

    config = write_config(tmp_path)
    fill(config)
    served = serve(config)
    try:
        with sqlite3.connect(tmp_path / "web.db") as db:
            db.execute("drop table story_topics")
        with served.client() as c:
            r = c.get("/")
            api = c.get("/api/v1/stories")
    finally:
        served.stop()
    assert r.status_code == 500 and "internal error: it has been logged" in r.text
    assert "Traceback" not in r.text and "sqlite" not in r.text.lower()
    assert r.headers["content-security-policy"] == CSP and r.headers["x-frame-options"] == "DENY"
    assert api.status_code == 500 and api.json()["status"] == 500
    assert api.headers["x-content-type-options"] == "nosniff"


def test_sources_page_shows_display_titles_beijing_times_and_retries(tmp_path):
    """A source's display title and last crawl in Beijing time; its failed articles waiting for a
    retry or given up, as `status` lists them (the page must not look healthier than it)."""
    from storage import BEIJING, CrawlRun, Database
    from storage.health import record_run
    from storage.retries import MAX_ATTEMPTS, record_failure
    from tests.helpers import config_database_url
    from tests.web.helpers import fill, serve, write_config

    extra = '\n[[sources]]\nname = "bj-yaowen"\ntitle = "北京市人民政府 要闻"\nkind = "beijing_gov"\nstart_urls = ["https://www.beijing.gov.cn/ywdt/yaowen/"]\n'
    config = write_config(tmp_path, extra=extra)
    fill(config)
    db = Database(config_database_url(config))
    with db.session() as s:
        record_run(s, "bj-yaowen", {"requests": 3, "list_items": 20, "new": 2})
        s.commit()
        bj = s.query(CrawlRun).one().finished_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    served = serve(config)
    try:
        with served.client() as c:
            before = c.get("/sources").text
            with db.session() as s:
                record_failure(s, "bj-yaowen", "https://www.beijing.gov.cn/a/1.html", "HTTP 500")
                for _ in range(MAX_ATTEMPTS):  # out of attempts: given up
                    record_failure(s, "bj-yaowen", "https://www.beijing.gov.cn/a/gone.html", "HTTP 404")
                s.commit()
            zh, en = c.get("/sources").text, c.get("/sources?lang=en").text
    finally:
        served.stop()
        db.dispose()
    row = before[before.index("北京市人民政府 要闻") :].split("</tr>")[0]
    assert "bj-yaowen" in row and bj in row
    assert "等待重试" not in row  # nothing failed yet
    row = zh[zh.index("北京市人民政府 要闻") :].split("</tr>")[0]
    assert "1 篇抓取失败的文章等待重试" in row and f"1 篇重试 {MAX_ATTEMPTS} 次后放弃" in row
    row = en[en.index('href="/?source=bj-yaowen') :].split("</tr>")[0]
    assert (
        "1 failed article waiting for a retry" in row and f"1 given up after {MAX_ATTEMPTS} attempts" in row
    )
