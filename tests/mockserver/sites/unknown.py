"""Sites no adapter knows: for `sources add` to infer selectors, follow a feed link, or give up.

`Unknown` has a div/dl list (dates in <em>, 下一页 link), a table list (cut titles in the link
text, the full ones in `title`, dates in their own cell, rel=next), a blog that announces its RSS
feed, and an "about" page with no list. `Mapped` is a site whose robots.txt names a sitemap.
"""

from __future__ import annotations

from .base import Page, Site, esc

# (path, title, list date, article date-time, paragraphs)
DL_NEWS = [
    ("/news/2026/1201/n101.html", "区政府召开城市副中心建设推进会", "2026-12-01", "2026-12-01 09:30", [
        "区政府召开城市副中心建设推进会，研究部署下一阶段重点工程，要求各部门倒排工期、压实责任。",
        "会议强调，要统筹推进交通、水务和公共服务设施建设，确保年度任务按期完成。",
    ]),
    ("/news/2026/1130/n102.html", "运河商务区新增金融机构落户", "2026-11-30", "2026-11-30 16:05", [
        "运河商务区本月新增十二家金融机构落户，涵盖银行理财子公司、保险资管和私募基金等业态。",
        "商务区管委会表示，将持续优化营商环境，为入驻机构提供一站式服务。",
    ]),
    ("/news/2026/1129/n103.html", "副中心绿色金融服务平台上线试运行", "2026-11-29", "2026-11-29 10:00", [
        "副中心绿色金融服务平台近日上线试运行，企业可在线申报绿色项目并对接金融机构。",
        "平台汇集绿色信贷、绿色债券和碳金融产品信息，提升融资对接效率。",
    ]),
    ("/news/2026/1128/n104.html", "通州区发布促进数字经济发展若干措施", "2026-11-28", "2026-11-28 14:20", [
        "通州区发布促进数字经济发展若干措施，从算力设施、数据要素和应用场景三方面提出支持政策。",
        "措施明确，对符合条件的数字经济企业给予房租补贴和研发投入奖励。",
    ]),
]  # fmt: skip
DL_PAGE2 = [
    ("/news/2026/1127/n105.html", "城市绿心森林公园冬季开放时间调整", "2026-11-27", "2026-11-27 08:00", [
        "城市绿心森林公园自十二月起调整冬季开放时间，每日开放至下午五点，请游客合理安排行程。",
    ]),
]  # fmt: skip
TABLE_NOTICES = [
    ("/gg/c/20261202_01.html", "关于开展2026年度中小企业数字化转型专项资金申报工作的通知", "2026年12月02日", [
        "为推动中小企业数字化转型，现开展2026年度专项资金申报工作，请符合条件的企业于规定时间内提交材料。",
        "申报材料包括企业基本情况、项目实施方案和经审计的财务报表。",
    ]),
    ("/gg/c/20261126_02.html", "关于公布第二批区级重点项目名单的公示", "2026年11月26日", [
        "经评审，现将第二批区级重点项目名单予以公示，公示期为五个工作日。",
        "对公示名单有异议的，请在公示期内以书面形式向区发展改革委反映。",
    ]),
    ("/gg/c/20261120_03.html", "关于调整部分公交线路运营时间的公告", "2026年11月20日", [
        "因道路施工，自即日起调整部分公交线路的运营时间和走向，请乘客留意站牌信息。",
    ]),
]  # fmt: skip
BLOG_POSTS = [
    ("/blog/p/1.html", "数字人民币试点场景观察", "Tue, 01 Dec 2026 08:00:00 +0800"),
    ("/blog/p/2.html", "绿色金融改革一周年回顾", "Mon, 30 Nov 2026 20:30:00 +0800"),
]
DL_LIST = "/news/index.html"
TABLE_LIST = "/gg/list.html"
BLOG = "/blog/index.html"
ABOUT = "/about.html"

_NAV = (
    '<div class="topnav"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/index.html">新闻动态</a></li>'
    '<li><a href="/gg/list.html">通知公告</a></li><li><a href="/about.html">关于本站</a></li></ul></div>'
)
_FOOT = (
    '<div class="foot"><p><a href="/about.html">网站地图说明</a> <a href="/about.html">联系我们方式</a></p>'
    "<p>主办单位：某区人民政府办公室</p></div>"
)


def _page(title: str, main: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}</title>{head}</head>'
        f'<body>{_NAV}<div class="main">{main}</div>{_FOOT}</body></html>'
    )


def _article(title: str, when: str, paras: list[str]) -> str:
    body = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return _page(
        title,
        f'<div class="detail"><h1>{esc(title)}</h1><div class="info">发布时间：{when}　来源：区融媒体中心</div>'
        f'<div class="text">{body}</div></div>',
        f'<meta property="article:published_time" content="{when.replace(" ", "T")}:00+08:00">',
    )


class Unknown(Site):
    def build(self) -> None:
        self.pages = {"/robots.txt": Page(b"User-agent: *\nAllow: /\n", "text/plain")}
        for path, title, _, when, paras in DL_NEWS + DL_PAGE2:
            self.html(path, _article(title, when, paras))
        for n, (rows, nxt) in enumerate(((DL_NEWS, "index_2.html"), (DL_PAGE2, None))):
            dls = "".join(
                f'<dl class="item{" first" if i == 0 else ""}"><dt><a href="{p}" target="_blank">{esc(t)}</a></dt>'
                f'<dd><em class="pub">{d}</em> <span class="views">阅读 {100 + i}</span></dd></dl>'
                for i, (p, t, d, _, _) in enumerate(rows)
            )
            pager = (
                f'<div class="pages"><a href="index.html">首页</a> <a href="{nxt}">下一页</a></div>'
                if nxt
                else ""
            )
            side = '<div class="side"><h3>热点</h3><a href="/about.html">本站服务指南说明</a></div>'
            path = DL_LIST if n == 0 else "/news/index_2.html"
            self.html(
                path, _page("新闻动态", f'<div class="news-box">{dls}</div>{pager}{side}'), is_list=True
            )
        rows = []
        for i, (path, title, date, paras) in enumerate(TABLE_NOTICES):
            self.html(path, _article(title, f"{date[:4]}-{date[5:7]}-{date[8:10]} 09:00", paras))
            short = title[:16] + "…" if len(title) > 16 else title
            rows.append(
                f'<tr class="{"odd" if i % 2 else "even"}"><td class="bt"><a href=".{path[3:]}" title="{esc(title)}">'
                f'{esc(short)}</a></td><td class="rq">{date}</td></tr>'
            )
        table = '<table class="tz"><tr><th>标题</th><th>发布日期</th></tr>' + "".join(rows) + "</table>"
        self.html(
            TABLE_LIST,
            _page("通知公告", table + '<p><a rel="next" href="list_2.html">Next</a></p>'),
            is_list=True,
        )
        self.html("/gg/list_2.html", _page("通知公告", '<table class="tz"></table>'), is_list=True)
        self._blog()
        self.html(
            ABOUT, _page("关于本站", "<h1>关于本站</h1><p>本站由某区人民政府办公室主办，发布政务信息。</p>")
        )

    def _blog(self) -> None:
        items, lis = [], []
        for path, title, when in BLOG_POSTS:
            self.html(
                path,
                _page(
                    title, f"<h1>{esc(title)}</h1><p>{esc(title)}。本文记录作者的观察与思考，供读者参考。</p>"
                ),
            )
            items.append(
                f"<item><title>{esc(title)}</title><link>{self.base}{path}</link><pubDate>{when}</pubDate></item>"
            )
            lis.append(f'<li><a href="{path}">{esc(title)}</a></li>')
        rss = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>博客</title>{"".join(items)}</channel></rss>'
        self.pages["/blog/rss.xml"] = Page(rss.encode(), "application/rss+xml", is_list=True)
        head = '<link rel="alternate" type="application/rss+xml" title="博客" href="/blog/rss.xml">'
        self.html(BLOG, _page("博客", f'<ul class="posts">{"".join(lis)}</ul>', head), is_list=True)


class Mapped(Site):
    """A site whose robots.txt names its sitemap; its home page has no list."""

    def build(self) -> None:
        self.pages = {
            "/robots.txt": Page(
                f"User-agent: *\nAllow: /\nSitemap: {self.base}/sm/sitemap.xml\n".encode(), "text/plain"
            )
        }
        urls = []
        for path, title, _, when, paras in DL_NEWS:
            self.html(path, _article(title, when, paras))
            urls.append(f"<url><loc>{self.base}{path}</loc><lastmod>{when[:10]}</lastmod></url>")
        xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(urls)}</urlset>'
        self.pages["/sm/sitemap.xml"] = Page(xml.encode(), "application/xml", is_list=True)
        self.html("/index.html", _page("首页", "<h1>欢迎</h1><p>本站发布区内新闻。</p>"))
