"""Chinese pages speak Chinese and English pages (?lang=en) English: every page kind is fetched in
both languages and its visible text (text, placeholders, aria-labels, titles) is checked for
words of the other language. Article content declares its own language (a `lang` attribute) and
raw data a person may need verbatim (addresses, a site's error text) is marked translate="no";
both are skipped. A small allow-list holds proper names."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.web.walk import admin_cookies, pages

# Proper names and codes that read the same in both languages.
ALLOWED_LATIN = {"newsradar", "API", "Atom", "Telegram", "Apprise", "NEWSRADAR_ADMIN_PASSWORD", "NEWSRADAR_SECRET_KEY",
                 "JavaScript", "English", "e-CNY"}  # fmt: skip
SOURCE_NAMES = (
    "bj-yaowen",
    "bj-zhengce",
    "eastmoney",
    "finews-feed",
    "finews-bjgov",
)  # the fixture's sources
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")  # addresses are names
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_'-]*[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]+")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Visible(HTMLParser):
    """Text a person sees or hears, outside elements that declare their own language or translate="no"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.parts: list[str] = []

    def _skipped(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skip = (
            tag in ("script", "style", "head") or "lang" in a and tag != "html" or a.get("translate") == "no"
        )
        if not skip and not self._skipped():
            self.parts += [a[k] for k in ("placeholder", "aria-label", "title", "alt") if a.get(k)]
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._skipped() and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def foreign(text: str, lang: str) -> list[str]:
    """Words of the other language: Latin words on a Chinese page, CJK on an English one."""
    if lang == "en":
        return CJK.findall(text)
    text = EMAIL.sub(" ", text)
    for name in SOURCE_NAMES:
        text = text.replace(name, " ")
    return [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_speaks_one_language(archive, lang):
    found = {}
    with archive.client() as anon, archive.client() as admin:
        for cookie in admin_cookies(archive):
            admin.cookies.set(cookie["name"], cookie["value"])
        for name, path in pages(archive):
            c = anon if name == "admin-login" else admin  # logged in, /admin moves on to a table
            r = c.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert r.status_code < 500 or name == "500", (name, r.status_code)
            assert r.headers["content-type"].startswith("text/html"), name
            words = foreign(visible_text(r.text), lang)
            if words:
                found[name] = sorted(set(words))[:12]
    assert found == {}, f"{lang} pages with text of the other language: {found}"


def test_the_heuristic_catches_what_the_issue_found():
    assert foreign("模式 both", "zh") == ["both"]
    assert foreign("name/mode/channels", "zh") == ["name", "mode", "channels"]
    assert foreign("Central-bank digital currency (e-CNY)", "zh") == ["Central-bank", "digital", "currency"]
    assert foreign("bj-yaowen · 2026-01-05 12:00 · API · Atom 订阅源", "zh") == []
    assert foreign("Digital currency · 北京时间", "en") == ["北京时间"]
    page = '<p>主题 <span lang="zh-CN">digital_currency 新闻</span> <code translate="no">HTTP 404</code></p>'
    assert visible_text(page) == "主题"


def test_admin_pages_off_say_so_in_chinese(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from newsradar.config import load
    from tests.web.helpers import write_config
    from web import create_app

    monkeypatch.delenv("NEWSRADAR_ADMIN_PASSWORD", raising=False)
    app = create_app(load(write_config(tmp_path)), admin_password="")
    with TestClient(app) as c:
        zh, en = c.get("/admin?lang=zh"), c.get("/admin?lang=en")
    assert zh.status_code == en.status_code == 404
    assert "管理页面未开启" in zh.text and foreign(visible_text(zh.text), "zh") == []
    assert "admin pages are off" in en.text and foreign(visible_text(en.text), "en") == []


def test_source_titles_and_topic_names_in_both_languages(tmp_path):
    from fastapi.testclient import TestClient

    from newsradar.config import load
    from tests.web.helpers import write_config
    from web import create_app

    extra = (
        '\n[[sources]]\nname = "pbc-news"\ntitle = "中国人民银行 新闻发布"\ntitle_en = "People\'s Bank of China: news"\n'
        'kind = "pbc"\nstart_urls = ["https://www.pbc.gov.cn/goutongjiaoliu/113456/113469/index.html"]\n'
    )
    app = create_app(load(write_config(tmp_path, extra=extra)), admin_password="")
    with TestClient(app) as c:
        zh, en = c.get("/sources?lang=zh").text, c.get("/sources?lang=en").text
        topics_zh, topics_en = c.get("/topics?lang=zh").text, c.get("/topics?lang=en").text
    assert "中国人民银行 新闻发布" in zh and "People's Bank of China: news" not in zh
    assert "People&#39;s Bank of China: news" in en and "中国人民银行" not in en
    assert "数字货币 / 数字人民币" in topics_zh and "央行数字货币" in topics_zh  # name and description
    assert "Digital currency / e-CNY" in topics_en and "Central-bank digital currency" in topics_en
    assert foreign(visible_text(topics_en), "en") == [] and foreign(visible_text(topics_zh), "zh") == []
