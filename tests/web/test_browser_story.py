"""The story page and story-grouped search as Chromium lays them out (desktop and phone): the
copies are in reach near the top, not after the lead's whole body."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.web.test_browser import ARGS, CHROMIUM
from tests.web.test_story_first import SOURCES, story  # noqa: F401 - the module's fixture

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing")


def _layout(url: str, story_id: int, width: int, height: int, shots) -> dict:
    """Runs in its own thread: Playwright's sync API allows one instance per thread, and
    test_browser.py's session-wide one may be running in the main thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height}).new_page()
        page.goto(f"{url}/stories/{story_id}")
        out = {
            "copies": page.locator("section.story-copies").bounding_box(),
            "body": page.locator("div.body").bounding_box(),
            "copy_items": page.locator("ul.copies li").count(),
            "evidence_items": page.locator(".story-evidence dd").count(),
        }
        page.screenshot(path=str(shots / f"story-{width}.png"), full_page=True)
        page.goto(f"{url}/search?q=雷达测绘")
        hits = page.locator("ol.hits li.story")
        out["hits"] = [hits.nth(i).inner_text() for i in range(hits.count())]
        page.screenshot(path=str(shots / f"search-{width}.png"), full_page=True)
        browser.close()
    return out


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_copies_come_before_the_body_near_the_top(archive, story, tmp_path, width, height):  # noqa: F811
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(_layout, archive.url, story["story_id"], width, height, tmp_path).result(120)
    copies, body = seen["copies"], seen["body"]
    assert copies["y"] < body["y"] and copies["y"] < 2 * height, (copies, body)
    assert seen["copy_items"] == 3 and seen["evidence_items"] == 1
    assert len(seen["hits"]) == 1
    assert "2 转载" in seen["hits"][0] and SOURCES[2] in seen["hits"][0]
