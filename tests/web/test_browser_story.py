"""The story page and story-grouped search as Chromium lays them out (desktop and phone): the
copies are in reach near the top, not after the lead's whole body."""

from __future__ import annotations

import os

import pytest

from tests.helpers import CHROMIUM
from tests.web.test_story_first import SOURCES, story  # noqa: F401 - the module's fixture

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing")


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_copies_come_before_the_body_near_the_top(browser, archive, story, tmp_path, width, height):  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{archive.url}/stories/{story['story_id']}")
        copies = page.locator("section.story-copies").bounding_box()
        body = page.locator("div.body").bounding_box()
        assert copies["y"] < body["y"] and copies["y"] < 2 * height, (copies, body)
        assert page.locator("ul.copies li").count() == 3
        assert page.locator(".story-evidence dd").count() == 1
        page.screenshot(path=str(tmp_path / f"story-{width}.png"), full_page=True)
        page.goto(f"{archive.url}/search?q=雷达测绘")
        hits = page.locator("ol.hits li.story")
        assert hits.count() == 1
        text = hits.first.inner_text()
        assert "2 转载" in text and SOURCES[2] in text
        page.screenshot(path=str(tmp_path / f"search-{width}.png"), full_page=True)
    finally:
        context.close()
