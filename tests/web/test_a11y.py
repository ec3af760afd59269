"""Every page in real headless Chromium at a desktop (1280 px) and a phone (390 px) width: axe-core
(bundled by axe-playwright-python, no CDN) finds no critical or serious violation, and nothing
is wider than the screen."""

from __future__ import annotations

import os
from collections import Counter

import pytest

from tests.helpers import CHROMIUM
from tests.web.walk import admin_cookies, pages

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing")
WIDTHS = (1280, 390)


def audit(chromium, archive, width: int) -> tuple[dict[str, Counter], dict[str, list[str]], dict[str, int]]:
    """axe's figures (rule violations per page and affected nodes, per impact; nodes per rule),
    the serious/critical ones per page, and the pages wider than the screen."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    pg = context.new_page()
    counts: dict[str, Counter] = {"violations": Counter(), "nodes": Counter(), "rules": Counter()}
    bad: dict[str, list[str]] = {}
    overflow: dict[str, int] = {}
    for name, path in pages(archive):
        if name == "admin-subscribers":  # the login page is seen logged out, the rest logged in
            context.add_cookies(admin_cookies(archive))
        for lang in ("zh", "en"):
            pg.goto(f"{archive.url}{path}{'&' if '?' in path else '?'}lang={lang}")
            for v in axe.run(pg).response["violations"]:
                counts["violations"][v["impact"]] += 1
                counts["nodes"][v["impact"]] += len(v["nodes"])
                counts["rules"][f"{v['id']} ({v['impact']})"] += len(v["nodes"])
                if v["impact"] in ("critical", "serious"):
                    bad.setdefault(f"{name}/{lang}", []).append(
                        f"{v['id']} ×{len(v['nodes'])} {v['nodes'][0]['target']}"
                    )
            wide = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if wide > 0:
                overflow[f"{name}/{lang}"] = wide
    context.close()
    return counts, bad, overflow


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_and_fits_the_screen(browser, archive, width):
    counts, bad, overflow = audit(browser, archive, width)
    print(f"axe at {width} px over {len(pages(archive)) * 2} pages:", {k: dict(c) for k, c in counts.items()})
    print(f"overflow at {width} px:", overflow)
    assert bad == {}, bad
    assert overflow == {}, f"wider than {width} px by: {overflow}"


def test_a_phone_sees_the_first_search_result_without_scrolling_past_forms(browser, archive):
    """One search box (the header's is left out on /search) and the filters folded away: the
    first result starts in the top half of a 390x844 screen (it was ~560 px down)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{archive.url}/search?q=数字人民币")
    assert page.locator("input[type=search]").count() == 1
    assert page.locator("details.more-filters select[name=topic]").is_hidden()  # folded
    top = page.locator("ol.hits li").first.bounding_box()["y"]
    page.locator("details.more-filters summary").click()
    assert page.locator("details.more-filters select[name=topic]").is_visible()
    page.goto(f"{archive.url}/search?q=数字人民币&topic=digital_currency")  # a filter in use shows
    assert page.locator("details.more-filters select[name=topic]").is_visible()
    context.close()
    assert top < 422, f"first result at {top} px"
