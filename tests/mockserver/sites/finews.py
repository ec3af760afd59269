"""The finews aggregator (Jekyll): posts in categories, the same story in two, an Atom feed."""

from __future__ import annotations

import re
from datetime import datetime

import markdown

from .. import content as C
from .base import Page, Site, esc


def _permalink(name: str, meta: dict[str, str]) -> str:
    cat = meta.get("categories", "posts")
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})-(.+)\.md$", name)
    if m:
        return f"/{cat}/{m[1]}/{m[2]}/{m[3]}/{m[4]}.html"
    return f"/{cat}/{name[:-3]}.html"


def _post_date(meta: dict[str, str]) -> datetime | None:
    m = re.match(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})", meta.get("date", ""))
    return datetime.fromisoformat(m[1]) if m else None


JEKYLL_HEAD = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8"><meta http-equiv="X-UA-Compatible" content="IE=edge">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta content="ZNing" name="author" />'
    '<title>{title} | 金融消息</title><meta property="og:title" content="{title}">'
    '<script type="text/JavaScript">function AutoRefresh( t ) {{ setTimeout("location.reload(true);", t); }}</script>'
    '</head><body onload="JavaScript:AutoRefresh(60000);"><div class="wrapper"><header><h1><a href="{base}/">金融消息</a></h1>'
    "<p></p></header><section>\n"
)
JEKYLL_FOOT = '\n</section><footer><p>&copy; 2021</p></footer></div><script src="/assets/js/scale.fix.js"></script></body></html>'


class Finews(Site):
    """finews.withounder.com: category pages, post pages and jekyll-feed's Atom feed."""

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(b"User-agent: *\nAllow: /\n", "text/plain")}
        cats: dict[str, list[tuple[str, str, str]]] = {}
        feed_entries = []
        for name, meta, text in C.finews_posts():
            url = _permalink(name, meta)
            rendered = markdown.markdown(text)
            date = _post_date(meta)
            shown = date.strftime("%Y-%m-%d %H:%M:%S") if date else ""
            tags = meta.get("tags", "")
            page = (
                JEKYLL_HEAD.format(title=esc(meta.get("title", "")), base=self.base)
                + f"<small>(GMT+8, Asia/Shanghai, CST) {shown}</small>\n<h1>{esc(meta.get('title', ''))}</h1>\n\n"
                + rendered
                + (f"\n\n  <small>tags: <em>{esc(tags)}</em></small>\n" if tags else "")
                + JEKYLL_FOOT
            )
            self.html(url, page)
            cats.setdefault(meta.get("categories", ""), []).append((url, meta.get("title", ""), tags))
            feed_entries.append((date or datetime(1970, 1, 1), url, meta, rendered))
        for cat, posts in cats.items():
            posts.sort(key=lambda p: p[0], reverse=True)
            lis = "".join(f'<li><a href="{u}">{esc(t)}</a></li>' for u, t, _ in posts)
            self.html(
                f"/category/{cat}.html",
                JEKYLL_HEAD.format(title=esc(posts[0][2]), base=self.base)
                + f'<h2 id="{esc(posts[0][2])}">{esc(posts[0][2])}</h2>\n<ul>\n{lis}\n</ul>'
                + JEKYLL_FOOT,
                is_list=True,
            )
        self._feed(sorted(feed_entries, key=lambda e: e[0], reverse=True)[:10])

    def _feed(self, entries) -> None:
        parts = [
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">'
            '<generator uri="https://jekyllrb.com/" version="3.9.0">Jekyll</generator>'
            f'<link href="{self.base}/feed.xml" rel="self" type="application/atom+xml" />'
            f'<link href="{self.base}/" rel="alternate" type="text/html" hreflang="zh-CN" />'
            f"<updated>{entries[0][0].isoformat()}+08:00</updated><id>{self.base}/feed.xml</id>"
            '<title type="html">金融消息</title><author><name>ZNing</name></author>'
        ]
        for date, url, meta, rendered in entries:
            stamp = f"{date.isoformat()}+08:00"
            parts.append(
                f'<entry><title type="html">{esc(meta.get("title", ""))}</title>'
                f'<link href="{self.base}{url}" rel="alternate" type="text/html" title="{esc(meta.get("title", ""))}" />'
                f"<published>{stamp}</published><updated>{stamp}</updated><id>{self.base}{url}</id>"
                f'<content type="html" xml:base="{self.base}{url}">{esc(rendered)}</content>'
                f'<author><name>ZNing</name></author><category term="{esc(meta.get("categories", ""))}" /></entry>'
            )
        parts.append("</feed>")
        self.pages["/feed.xml"] = Page("".join(parts).encode("utf-8"), "application/xml", is_list=True)
