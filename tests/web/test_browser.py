"""The archive in real headless Chromium (Debian's, driven by Playwright): search, filter, open a
story, subscribe and confirm by email, receive an alert, unsubscribe; a crawled hostile page runs
no script. Screenshots of the main pages are written under the test's tmp dir."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from newsradar.config import load
from newsradar.context import Context
from processor import ArticleData, Ingestor
from storage import Channel
from tests.helpers import CHROMIUM, run_cli
from tests.notifiers.helpers import SECRET, TOPIC_TEXT, _filler
from tests.web.helpers import serve, write_config

HOSTILE_TITLE = "央行：数字人民币试点场景持续扩大"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: browser tests skipped"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory, mocksite, smtp):
    """A crawled archive (three beijing.gov.cn columns of the sample site) served on 127.0.0.1."""
    mp = pytest.MonkeyPatch()
    mp.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    folder = tmp_path_factory.mktemp("browser")
    bj = mocksite["bjgov"]
    sources = "".join(
        f'\n[[sources]]\nname = "{name}"\nkind = "beijing_gov"\nstart_urls = ["{bj}{path}"]\nmax_pages = 5\n'
        for name, path in (("bj-yaowen", "/ywdt/yaowen/"), ("bj-zhengce", "/zhengce/zhengcefagui/"),
                           ("bj-hostile", "/ywdt/hostile/"))
    )  # fmt: skip
    extra = (
        "\n[crawl]\ndelay = 0.0\nretries = 1\nretry_backoff = 0.01\n\n[alerts]\nbackoff_base = 0.05\n"
        + sources
    )
    config = write_config(folder, smtp_port=smtp.port, extra=extra)
    out = run_cli("crawl", config=config, env={"NEWSRADAR_SECRET_KEY": SECRET})
    assert out.returncode == 0, out.stdout + out.stderr
    served = serve(config)
    served.shots = folder / "screenshots"
    served.shots.mkdir()
    yield served
    served.stop()
    mp.undo()


@pytest.fixture
def page(browser, world):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def _shot(page, world, name: str) -> Path:
    path = world.shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_home_filter_by_topic_and_open_a_story(page, world):
    page.goto(world.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("li.story").count() >= 2
    _shot(page, world, "home")
    page.select_option("select[name=topic]", "digital_currency")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"topic=digital_currency"))
    chips = page.locator("li.story .chips").all_inner_texts()
    assert chips and all("数字" in c or "digital" in c.lower() for c in chips)
    title = page.locator("li.story a.title").first.inner_text()
    page.locator("li.story a.title").first.click()
    page.wait_for_url(re.compile(r"/stories/\d+$"))
    assert page.locator("h1").inner_text() == title
    assert page.locator("ul.copies li").count() >= 1


def test_search_two_characters_and_a_fragment(page, world):
    page.goto(world.url + "/")
    page.fill("form.quick input[name=q]", "央行")
    page.press("form.quick input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    titles = page.locator("ol.hits a.title").all_inner_texts()
    assert HOSTILE_TITLE in titles
    assert page.locator("ol.hits mark").count() >= 1
    _shot(page, world, "search")
    page.goto(world.url + "/search?q=" + "副中心高质")
    titles = page.locator("ol.hits a.title").all_inner_texts()
    assert any("城市副中心高质量发展" in t for t in titles), titles


def test_hostile_page_runs_no_script_and_keeps_no_handler(page, world):
    page.goto(world.url + "/?source=bj-hostile&all=1")
    page.locator("li.story a.title", has_text=HOSTILE_TITLE).first.click()
    page.wait_for_url(re.compile(r"/stories/\d+$"))
    page.hover("div.body")
    page.mouse.click(10, 10)
    links = page.locator("div.body a")
    for i in range(links.count()):
        assert not (links.nth(i).get_attribute("href") or "").lower().startswith("javascript")
    found = page.evaluate(
        """() => ({
            pwned: window.__pwned === undefined ? null : String(window.__pwned),
            handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
                .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
            scripts: document.querySelectorAll('script').length,
            styles: document.querySelectorAll('main style').length,
            hidden: getComputedStyle(document.body).display,
        })"""
    )
    assert found == {"pwned": None, "handlers": [], "scripts": 0, "styles": 0, "hidden": "block"}
    assert page.dialogs == []
    assert "数字人民币" in page.locator("div.body").inner_text()
    assert page.locator("div.body mark").count() >= 1  # matched terms highlighted
    _shot(page, world, "story")


def test_topic_page_chart(page, world):
    page.goto(world.url + "/topics/sub_center")
    assert page.locator("svg.chart.wide").count() == 1
    box = page.locator("svg.chart.wide").bounding_box()
    assert box["width"] > 300 and box["height"] > 60
    assert page.locator("svg.chart-phone").bounding_box() is None  # hidden on a desktop
    _shot(page, world, "topic")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the narrow chart, labels >= 10 px
    assert page.locator("svg.chart.wide").bounding_box() is None
    sizes = page.evaluate(
        "[...document.querySelectorAll('svg.chart-phone text')].map(t => t.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 10, sizes
    page.goto(world.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    _shot(page, world, "home-phone")


def test_subscribe_confirm_alert_and_one_click_unsubscribe(page, world, smtp):
    address = "browser-reader@example.org"
    page.goto(world.url + "/subscribe")
    page.check("input[name=topics][value=digital_currency]")
    page.fill("input[name=email]", address)
    page.select_option("select[name=mode]", "instant")
    page.click("form.subscribe button[type=submit]")
    assert address in page.locator("main").inner_text()
    (mail,) = smtp.to(address)
    link = re.search(
        r"(http://\S+/subscribe/confirm\?token=\S+)", mail.message.get_body(("plain",)).get_content()
    )
    page.goto(link.group(1))
    assert "订阅已确认" in page.locator("main").inner_text()
    # A new article on the topic: the real ingest queues an alert, the real dispatcher mails it.
    ctx = Context(str(world.config))
    with ctx.db().session() as s:
        Ingestor(ctx.matcher()).ingest(s, ArticleData(
            source="bj-yaowen", url="https://example.gov.cn/new-dc.html", title="数字人民币新场景上线",
            body_text=f"{_filler(4242)}。{TOPIC_TEXT['digital_currency']}", published_at=datetime.now(UTC),
        ))  # fmt: skip
    out = run_cli("dispatch", "--once", config=world.config, env={"NEWSRADAR_SECRET_KEY": SECRET})
    assert out.returncode == 0, out.stdout + out.stderr
    alerts = [
        m for m in smtp.to(address) if "数字人民币新场景上线" in m.message.get_body(("plain",)).get_content()
    ]
    assert len(alerts) == 1
    unsub = alerts[0].message["List-Unsubscribe"].strip("<>")
    assert unsub.startswith(world.url + "/unsubscribe?token=")
    page.goto(unsub)  # a person clicking the link sees a confirmation, nothing changes yet
    assert address in page.locator("main").inner_text() and page.locator("main button").count() == 1
    r = httpx.post(unsub, data={"List-Unsubscribe": "One-Click"}, timeout=10)  # what the mail client does
    assert r.status_code == 200
    with Database_of(world).session() as s:
        assert s.scalar(select(Channel.active).where(Channel.address == address)) is False
    page.reload()
    assert "已退订" in page.locator("main").inner_text()


def Database_of(world):
    from storage import Database

    return Database(load(world.config).database_url)
