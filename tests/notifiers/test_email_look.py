"""The digest email as a mail client shows it: the real MIME message (notifiers.mail.build_email)
rendered by headless Chromium at 600 px, its chart inline. It is styled like the archive (inline
CSS, a CJK sans-serif stack, never the default serif), nothing is wider than 600 px, and the
chart keeps its whole topic labels. A screenshot is kept in the test's tmp dir."""

from __future__ import annotations

import base64
import os
from datetime import UTC, date, datetime, timedelta

import pytest

from notifiers.alerts import Alert, ChannelBatch, Digest
from notifiers.base import Message
from notifiers.chart import CHART_CID, TopicTrend
from notifiers.mail import build_email
from notifiers.settings import AlertSettings, EmailSettings
from tests.helpers import CHROMIUM

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing")
DAY = date(2026, 5, 1)
DAYS = tuple(DAY - timedelta(days=13 - i) for i in range(14))
LONG_URL = (
    "https://www.beijing.gov.cn/zhengce/zhengcefagui/202605/t20260501_1234567890_a-very-long-file-name.html"
)


def _digest() -> Digest:
    at = datetime(2026, 5, 1, 1, 30, tzinfo=UTC)
    items = [
        Alert([], 1, "北京市人民政府关于进一步扩大数字人民币试点应用场景推动城市副中心高质量发展的实施意见", LONG_URL,
              ["北京市人民政府·政策文件", "东方财富·财经要闻", "finews-bjgov"], at, ["digital_currency"],
              ["数字货币 / 数字人民币"], "市金融监管部门表示，将继续推进数字人民币试点，探索建设数字资产交易场所。",
              [(13, 18)], 3),
        Alert([], 2, "央行：数字人民币试点场景持续扩大", "https://example.gov.cn/2.html", ["pbc-news"], at,
              ["digital_currency"], ["数字货币 / 数字人民币"], "数字人民币应用场景持续丰富。", [(0, 5)]),
        Alert([], 3, "绿色债券发行规模创新高", "https://example.gov.cn/3.html", ["eastmoney-cgnjj"], at,
              ["green_finance"], ["绿色金融"], "绿色债券发行规模创新高，碳市场交易活跃。", [(0, 4)]),
    ]  # fmt: skip
    trends = [
        TopicTrend(
            "digital_currency", "数字货币 / 数字人民币", DAYS, (3, 5, 4, 6, 2, 4, 5, 3, 4, 5, 6, 4, 3, 12)
        ),
        TopicTrend("green_finance", "绿色金融", DAYS, (1, 0, 2, 1, 1, 0, 3, 2, 1, 1, 2, 0, 1, 1)),
    ]
    return Digest(delivery_id=7, day=DAY, total=3, items=items, trends=trends)


def email_page(tmp_path) -> tuple[str, bytes]:
    """The HTML part of the real digest email with its chart (the related PNG) as a data: URL."""
    digest = _digest()
    batch = ChannelBatch(1, "email", "reader@example.org", True, 1, "reader", False, [], [digest])
    msg = build_email(batch, Message(None, [], digest), EmailSettings(sender="alerts@newsradar.test"),
                      AlertSettings(), b"s" * 32)  # fmt: skip
    html_part = msg.get_body(("html",))
    [png] = [p.get_content() for p in html_part.iter_parts() if p.get_content_type() == "image/png"] or [
        p.get_content() for p in msg.walk() if p.get_content_type() == "image/png"
    ]
    html = html_part.get_content()
    page = html.replace(f"cid:{CHART_CID}", "data:image/png;base64," + base64.b64encode(png).decode())
    (tmp_path / "digest-email.html").write_text(page, encoding="utf-8")
    return page, png


def test_digest_email_at_600px_fits_and_reads_like_the_archive(browser, tmp_path):
    page_html, png = email_page(tmp_path)
    assert 'style="' in page_html and "<style" not in page_html  # inline CSS only: clients keep it
    context = browser.new_context(viewport={"width": 600, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_content(page_html)
    found = page.evaluate(
        """() => {
            const img = document.querySelector('img');
            const fonts = [...document.querySelectorAll('body *')].map(e => getComputedStyle(e).fontFamily);
            return {
                overflow: document.documentElement.scrollWidth - window.innerWidth,
                serif: fonts.filter(f => !/sans-serif/.test(f)).length,
                img: img.complete && img.naturalWidth, imgRight: img.getBoundingClientRect().right,
                imgWidth: img.getBoundingClientRect().width,
                heading: getComputedStyle(document.querySelector('h2')).fontFamily,
                mark: getComputedStyle(document.querySelector('li b')).backgroundColor,
            };
        }"""
    )
    page.screenshot(path=str(tmp_path / "digest-email-600.png"), full_page=True)
    context.close()
    assert found["overflow"] <= 0, found
    assert found["serif"] == 0 and "PingFang SC" in found["heading"], found
    assert found["img"] > 0 and found["imgRight"] <= 600 and found["imgWidth"] >= 500, found
    assert found["mark"] == "rgb(255, 243, 176)"  # matched terms highlighted as on the archive
