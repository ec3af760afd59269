"""finance.eastmoney.com: list pages and articles in the 2019 and 2025 templates."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import markdown

from .. import content as C
from .base import ROBOTS, Page, Site, esc
from .eastmoney_api import api_answer

EM_DISCLAIMER = (
    '<p class="em_disclaimer">郑重声明：东方财富网发布此信息的目的在于传播更多信息，与本站立场无关。</p>'
)


def _em_article(title, when, origin, body_html, *, template=2025) -> str:
    dt = datetime.fromisoformat(when)
    stamp = dt.strftime("%Y年%m月%d日 %H:%M")
    if template == 2019:
        head = (f'<div class="newsContent"><h1>{esc(title)}</h1><div class="time-source"><div class="time">{stamp}</div>'
                f'<div class="source data-source" data-source="{esc(origin)}">来源：{esc(origin)}</div></div>')  # fmt: skip
        tail = "</div>"
    else:
        head = (f'<div class="tipbox"><div class="infos"><div class="item">{stamp}</div><div class="item">来源：{esc(origin)}</div>'
                '<div class="item">作者：东方财富研究中心</div></div></div>')  # fmt: skip
        tail = ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}_东方财富网</title>'
        '<meta name="description" content="东方财富网财经频道"></head><body><div class="header">东方财富网 财经 首页</div>'
        f'{head}<div id="ContentBody" class="txtinfos">{body_html}{EM_DISCLAIMER}</div>{tail}'
        '<div class="footer">东方财富网版权所有</div></body></html>'
    )


SEED_EM_ID = "202202112273872039"
# An unrelated notice whose title shares a long prefix with the seed story's.
TWIN_TITLE = "北京：积极推进城市副中心开展绿色金融改革试点 探索建设绿色金融服务平台"
TWIN_PARAS = [
    "记者从市地方金融监管局获悉，本市将在城市副中心开展绿色金融改革创新试点，支持金融机构设立绿色金融专营机构。",
    "试点期间，本市将完善绿色信贷统计制度，推动环境信息披露，鼓励发行绿色债券和可持续发展挂钩债券。",
    "市地方金融监管局有关负责人表示，将加强与北京绿色交易所合作，丰富碳金融产品，服务碳达峰碳中和目标。",
]


class Eastmoney(Site):
    """finance.eastmoney.com: two list pages, real rolling news, and the seed story with widgets;
    the JSON list API, fast news and a share page (eastmoney_api) on the same host."""

    items: list[tuple[str, str, str]] | None = None  # (id, title, when) as the lists show them

    def answer(self, path: str, query: str) -> Page | None:
        return api_answer(self.base, path, query, self.items or []) or self.page(path)

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        items = []  # (id, title, when)
        body = C.seed_body().replace('<p class="em_media">', '<p class="em_media">')
        title = "北京：积极推进城市副中心开展法定数字货币试点 探索建设数字资产交易场所"
        self.html(f"/a/{SEED_EM_ID}.html", _em_article(title, "2022-02-11 12:47", "北京市人民政府官网", body))
        items.append((SEED_EM_ID, title, "2022-02-11 12:47"))
        # A long article split over two pages, as eastmoney does: <id>.html, then <id>_2.html.
        pager = '<div class="pagesize"><a href="/a/202202112273880001_2.html">2</a><a href="/a/202202112273880001_2.html">下一页</a></div>'
        first = "".join(f"<p>{p}</p>" for p in TWIN_PARAS[:2]) + pager
        second = f"<p>{TWIN_PARAS[2]}</p>" + '<p class="em_media">（文章来源：北京日报）</p>'
        self.html(
            "/a/202202112273880001.html", _em_article(TWIN_TITLE, "2022-02-11 14:05", "北京日报", first)
        )
        self.html(
            "/a/202202112273880001_2.html", _em_article(TWIN_TITLE, "2022-02-11 14:05", "北京日报", second)
        )
        items.append(("202202112273880001", TWIN_TITLE, "2022-02-11 14:05"))
        for name, meta, text in C.finews_posts():
            if meta.get("categories") != "emnews" or not meta.get("title"):
                continue
            em_id = re.search(r"(\d{18})", name).group(1)
            if em_id == SEED_EM_ID:  # the aggregator's short copy of the story served above
                continue
            html_body = markdown.markdown(re.sub(r"^>.*$", "", text, flags=re.M))
            html_body = re.sub(r"<p><a href=\"http[^\"]+\">http[^<]+</a></p>", "", html_body)
            html_body = re.sub(r"<p>(<a href=\"[^\"]*\">返回[^<]*</a>.*)</p>", "", html_body)
            when = meta["date"][:16]
            template = 2019 if em_id == "202112082206710723" else 2025
            origin = "东方财富网"
            if self.edited(f"/a/{em_id}.html"):
                html_body += "<p>（更新）公司随后补充披露了相关细节。</p>"
                when = (datetime.fromisoformat(when) + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M")
            self.html(
                f"/a/{em_id}.html", _em_article(meta["title"], when, origin, html_body, template=template)
            )
            items.append((em_id, meta["title"], when))
        self.items = items
        half = (len(items) + 1) // 2
        for n, chunk in enumerate((items[:half], items[half:])):
            lis = "".join(
                f'<li><div class="image"><a href="/a/{i}.html"><img src="//img.example/{i}.jpg"></a></div><div class="text">'
                f'<p class="title"><a href="{self.base}/a/{i}.html" target="_blank">{esc(t)}</a></p>'
                f'<p class="info" title="{esc(t)}">{esc(t)}</p><p class="time">{w[5:7]}月{w[8:10]}日 {w[11:16]}</p></div></li>'
                for i, t, w in chunk
            )
            nxt = '<a href="/a/cgnjj_2.html">下一页</a>' if n == 0 else ""
            name = "/a/cgnjj.html" if n == 0 else "/a/cgnjj_2.html"
            self.html(name, '<!DOCTYPE html><html><head><meta charset="utf-8"><title>国内经济_东方财富网</title></head><body>'
                      f'<ul id="newsListContent">{lis}</ul><div class="pagerbox">{nxt}</div></body></html>', is_list=True)  # fmt: skip
