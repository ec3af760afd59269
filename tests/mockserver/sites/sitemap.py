"""A site known only through its sitemaps: robots.txt -> a sitemap index -> a news sitemap and a
gzipped pages sitemap; article pages in no template an adapter knows (one in eastmoney's)."""

from __future__ import annotations

import gzip

from .base import Page, Site, esc
from .eastmoney import _em_article

# (path, title, lastmod, published, paragraphs)
SITEMAP_NEWS = [
    ("/news/2026/08/fintech-pilot.html", "通州区启动金融科技创新监管试点", "2026-08-21T09:00:00+08:00",
     "2026-08-21 09:00", ["通州区今日启动金融科技创新监管试点，首批六个项目涉及数字人民币、供应链金融和绿色金融等领域。",
                          "区金融办负责人表示，试点将在风险可控的前提下探索金融科技应用，服务城市副中心高质量发展。"]),
    ("/news/2026/08/green-bonds.html", "副中心绿色债券发行规模创新高", "2026-08-20T15:30:00+08:00",
     "2026-08-20 15:30", ["今年以来，城市副中心企业累计发行绿色债券超过三百亿元，发行规模创历史新高。",
                          "募集资金主要投向清洁能源、绿色建筑和轨道交通等项目，带动社会投资持续增长。"]),
    ("/news/2026/08/digital-rmb.html", "城市副中心扩大数字人民币受理范围", "2026-08-19T11:20:00+08:00",
     "2026-08-19 11:20", ["城市副中心重点商圈、公交线路和政务服务大厅已全部支持数字人民币支付。",
                          "下一步将推动数字人民币在跨境贸易和供应链金融场景落地，形成可复制推广的经验。"]),
]  # fmt: skip
SITEMAP_PAGES = [
    ("/news/2026/07/archive-note.html", "七月金融工作综述", "2026-07-31",
     "2026-07-31 18:00", ["七月份，区金融系统围绕服务实体经济、防控金融风险和深化金融改革三项任务开展工作。",
                          "全区新增贷款保持平稳增长，普惠小微贷款余额同比增长两成以上。"]),
    ("/about.html", "关于我们", "2026-01-01", "2026-01-01 00:00", ["本网站由通州区融媒体中心主办，发布城市副中心金融动态。"]),
]  # fmt: skip


def _article(title: str, published: str, paras: list[str]) -> str:
    body = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}_副中心金融</title>'
        f'<meta name="ArticleTitle" content="{esc(title)}"><meta name="PubDate" content="{published}">'
        f'<meta name="ContentSource" content="通州区融媒体中心"></head><body>'
        f'<main><div class="title">{esc(title)}</div><article class="content">{body}</article></main><footer>通州区融媒体中心 版权所有</footer></body></html>'
    )


def _urlset(base: str, rows: list[tuple[str, str]]) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>{m}</lastmod></url>" for p, m in rows)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


class SitemapSite(Site):
    """Articles listed only by sitemaps; an edited article ('bumped') gets a new lastmod and text."""

    def build(self) -> None:
        robots = f"User-agent: *\nDisallow: /private/\nSitemap: {self.base}/sitemap_index.xml\n"
        self.pages = {"/robots.txt": Page(robots.encode(), "text/plain")}
        sitemaps = {"/sitemap-news.xml": SITEMAP_NEWS, "/sitemap-pages.xml.gz": SITEMAP_PAGES}
        for name, rows in sitemaps.items():
            entries = []
            for path, title, lastmod, published, paras in rows:
                if self.edited(path):
                    lastmod, paras = "2026-08-22T08:00:00+08:00", [*paras, "（本文已更新）"]
                if path.endswith("digital-rmb.html"):  # a page in a template an adapter knows
                    body = "".join(f"<p>{esc(p)}</p>" for p in paras)
                    self.html(path, _em_article(title, published, "通州区融媒体中心", body))
                else:
                    self.html(path, _article(title, published, paras))
                entries.append((path, lastmod))
            xml = _urlset(self.base, entries)
            if name.endswith(".gz"):
                self.pages[name] = Page(gzip.compress(xml, mtime=0), "application/x-gzip", is_list=True)
            else:
                self.pages[name] = Page(xml, "application/xml", is_list=True)
        index = "".join(f"<sitemap><loc>{self.base}{n}</loc></sitemap>" for n in sitemaps)
        self.pages["/sitemap_index.xml"] = Page(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>'.encode(),
            "application/xml",
            is_list=True,
        )
        self.pages["/news/index.html"] = Page(b"<html><body><h1>News</h1></body></html>")
