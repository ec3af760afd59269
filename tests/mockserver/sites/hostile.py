"""Pages that carry terminal control characters, code inside a title, and relative links."""

from __future__ import annotations

from .base import ROBOTS, Page, Site

HOSTILE_SELECTORS = {"list_item": "ul.news li", "article_title": "h1", "article_body": "#content"}
HOSTILE_TITLE_HTML = "&#27;[31m金融科技&#27;[0m 监管沙盒 &#7;&#8;"


class Hostile(Site):
    """Pages that carry terminal control characters, code inside a title, and relative links."""

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        body = (
            "<p>数字人民币试点范围扩大&#27;]0;pwned&#7;，覆盖更多场景。</p><style>p{color:red}</style>"
            '<p>详见<a href="/ok.html">通知全文</a>与<a href="../up/doc.html">附件</a>。</p>'
        )
        self.html("/news/a1.html", (
            f"<html><head><title>{HOSTILE_TITLE_HTML}</title></head><body>"
            f"<h1>{HOSTILE_TITLE_HTML}</h1><div id=\"content\">{body}</div></body></html>"
        ))  # fmt: skip
        self.html("/news/a2.html", (
            "<html><head><title>t</title></head><body><h1>数字人民币<script>alert(2)</script>试点<style>h1{}</style>扩容</h1>"
            "<div id=\"content\"><p>数字人民币试点继续扩容，更多城市加入。</p></div></body></html>"
        ))  # fmt: skip
        items = "".join(
            f'<li><a href="{p}">{t}</a></li>'
            for p, t in (
                ("/news/a1.html", HOSTILE_TITLE_HTML),
                ("/news/a2.html", "数字人民币<script>x()</script>试点"),
            )
        )
        self.html(
            "/news/index.html", f'<html><body><ul class="news">{items}</ul></body></html>', is_list=True
        )
