"""The sample sites: page bodies keyed by path, rebuilt when a test changes an article."""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import markdown

from . import content as C

esc = html.escape


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    is_list: bool = False  # list pages and feeds answer conditional requests


@dataclass
class Site:
    """A site is a function of its base URL and of which articles a test has 'edited'."""

    name: str
    base: str = ""
    bumped: set[str] = field(default_factory=set)
    pages: dict[str, Page] = field(default_factory=dict)
    added: list[tuple[str, str]] = field(default_factory=list)  # (title, text) posted while running
    redesigned: bool = False  # list pages in a layout the adapter does not know

    def build(self) -> None:
        raise NotImplementedError

    def page(self, path: str) -> Page | None:
        if path.endswith("/"):
            path += "index.html"
        return self.pages.get(path)

    def html(self, path: str, text: str, **kw) -> None:
        self.pages[path] = Page(text.encode("utf-8"), **kw)

    def edited(self, path: str) -> bool:
        return path in self.bumped


ROBOTS = "User-agent: *\nDisallow: /private/\n"


# ---------------------------------------------------------------- beijing.gov.cn
def _bj_article(
    title, date, time, origin, paras, *, meta=True, header=True, body=True, fallback=False
) -> str:
    metas = ""
    if meta:
        metas = f'<meta name="ArticleTitle" content="{esc(title)}"><meta name="ColumnName" content="要闻">'
        if date:
            metas += f'<meta name="PubDate" content="{date} {time}">'
        metas += f'<meta name="ContentSource" content="{esc(origin)}">'
    spans = []
    if date:
        spans.append(f"<span>发布时间：{date} {time}</span>")
    spans.append(f"<span>来源：{esc(origin)}</span>")
    head = (
        f'<div class="header"><p>{esc(title)}</p></div><div id="othermessage"><p class="fl">{"".join(spans)}</p></div>'
        if header
        else ""
    )
    ps = "".join(f"<p>{p}</p>\n" for p in paras)
    if fallback:  # a redesigned template the adapter does not know
        main = f'<div class="article-wrap"><h1>{esc(title)}</h1><article class="article-body">{ps}</article></div>'
    elif body:
        main = f'<div id="mainText"><div class="TRS_Editor">{ps}</div></div>'
    else:
        main = '<div id="mainText"></div>'
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}_首都之窗_北京市人民政府门户网站</title>{metas}'
        '<script>var _trs_uv=1;</script></head><body><div class="nav"><a href="/">首页</a> &gt; <a href="/ywdt/">要闻动态</a></div>'
        f"{head}{main}"
        '<div class="footer"><p>主办：北京市人民政府办公厅 承办：北京市政务服务管理局</p><p>京ICP备05060933号</p></div></body></html>'
    )


def _bj_list(
    items: list[tuple[str, str, str]], current: int, size: int, *, flag: bool = False, ul: str = "list"
) -> str:
    lis = []
    for n, (href, title, date) in enumerate(items):
        mark = '<i class="flag">是</i>' if flag and n == 0 else ""
        lis.append(
            f'<li>{mark}<a href="{href}" title="{esc(title)}" target="_blank">{esc(title)}</a><span>{date}</span></li>'
        )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>要闻_首都之窗_北京市人民政府门户网站</title></head><body>'
        f'<div class="listBox"><ul class="{ul}">{"".join(lis)}</ul></div>'
        f"<div class=\"page\"><script>Pager({{size:{size}, current:{current}, prefix:'index', suffix:'html'}});</script></div>"
        "</body></html>"
    )


class BeijingGov(Site):
    """www.beijing.gov.cn: 要闻 with three list pages and every kind of bad page, plus 政策文件."""

    COLUMN = "/ywdt/yaowen/"

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        entries = []  # (path, title, list date)
        for n, (title, text) in reversed(list(enumerate(self.added))):  # newest first
            path = f"{self.COLUMN}202612/t20261201_{2700000 + n}.html"
            self.html(path, _bj_article(title, "2026-12-01", "09:00", "北京日报", text.split("\n")))
            entries.append((path, title, "2026-12-01"))
        seed_paras = C.seed_notice_paragraphs()
        path = f"{self.COLUMN}202202/t20220211_{C.SEED_GOV_ID}.html"
        self.html(path, _bj_article(C.SEED_GOV_TITLE, "2022-02-11", "10:52", "北京日报", seed_paras))
        entries.append((path, C.SEED_GOV_TITLE, "2022-02-11"))
        for doc_id, date, time, title, origin, paras in C.BJ_NEWS:
            path = f"{self.COLUMN}{date[:4]}{date[5:7]}/t{date.replace('-', '')}_{doc_id}.html"
            list_date = date
            if self.edited(path):
                paras = [*paras, "（本文于次日更新：补充了会议部署的具体任务清单。）"]
                list_date = (datetime.fromisoformat(date) + timedelta(days=1)).date().isoformat()
            self.html(path, _bj_article(title, date, time, origin, paras))
            entries.append((path, title, list_date))
        # Older template: no meta tags, header spans only.
        path = f"{self.COLUMN}202202/t20220207_2611009.html"
        self.html(path, _bj_article("本市持续开展城市环境整治", "2022-02-07", "08:15", "首都之窗", [
            "本市持续开展城市环境整治，重点治理背街小巷环境脏乱问题。", "各区将建立长效管理机制，巩固整治成果。",
        ], meta=False))  # fmt: skip
        entries.append((path, "本市持续开展城市环境整治", "2022-02-07"))
        # No date anywhere on the page or in the list.
        path = f"{self.COLUMN}202202/t20220206_2611010.html"
        self.html(path, _bj_article("北京市公共文化服务设施名录公布", None, None, "首都之窗", [
            "市文化和旅游局公布本市公共文化服务设施名录，方便市民查询就近的图书馆、文化馆和博物馆。",
        ]))  # fmt: skip
        entries.append((path, "北京市公共文化服务设施名录公布", ""))
        # A redesigned page: site selectors miss, generic extraction must take over.
        path = f"{self.COLUMN}202202/t20220206_2611011.html"
        self.html(path, _bj_article("北京市加快推进充电桩建设", "2022-02-06", "14:00", "北京日报", [
            "本市今年将新建一批公用充电桩，进一步完善新能源汽车充电网络布局，方便市民绿色出行。",
            "市城市管理委表示，将优先在居住区、商圈和交通枢纽周边布设充电设施，并加强运营监管。",
            "到年底，全市平原地区充电服务半径将进一步缩小，充电设施使用效率明显提升。",
        ], fallback=True))  # fmt: skip
        entries.append((path, "北京市加快推进充电桩建设", "2022-02-06"))
        # Broken: a page without a body, a page that always fails, a dead link, a robots-forbidden link.
        path = f"{self.COLUMN}202202/t20220205_2611012.html"
        self.html(path, _bj_article("（空白页）", "2022-02-05", "09:00", "首都之窗", [], body=False))
        entries.append((path, "本市发布春节期间交通出行提示", "2022-02-05"))
        path = f"{self.COLUMN}202202/t20220205_2611013.html"
        self.pages[path] = Page(b"<html><body>Internal Server Error</body></html>", status=500)
        entries.append((path, "市场监管部门开展春节市场专项检查", "2022-02-05"))
        entries.append(
            (f"{self.COLUMN}202202/t20220204_2611014.html", "本市部署节后复工复产工作", "2022-02-04")
        )
        entries.append(("/private/t20220204_2611015.html", "内部通知（不应被抓取）", "2022-02-04"))
        self.html(
            "/private/t20220204_2611015.html", _bj_article("内部通知", "2022-02-04", "09:00", "x", ["内部"])
        )

        per_page = 6
        chunks = [entries[i : i + per_page] for i in range(0, len(entries), per_page)]
        for n, chunk in enumerate(chunks):
            rel = [
                ("./" + p[len(self.COLUMN) :] if p.startswith(self.COLUMN) else p, t, d) for p, t, d in chunk
            ]
            name = "index.html" if n == 0 else f"index_{n}.html"
            body = _bj_list(rel, n, len(chunks), flag=(n == 0))
            if self.redesigned:  # a new template: no list items where the adapter looks for them
                body = re.sub(
                    r"<ul[^>]*>.*</ul>", lambda m: re.sub(r"</?(ul|li)\b[^>]*>", "", m.group(0)), body
                )
            self.html(f"{self.COLUMN}{name}", body, is_list=True)
        self._policy()
        self._hostile()

    HOSTILE = "/ywdt/hostile/"
    HOSTILE_TITLE = "央行：数字人民币试点场景持续扩大"

    def _hostile(self) -> None:
        """A column of its own (no other test crawls it) whose article attacks the reader's browser:
        script, event handlers, javascript: links, a <style> block, an <svg onload>."""
        paras = [
            '央行表示，数字人民币试点场景持续扩大<script>window.__pwned = "script"; alert("script")</script>。',
            '<span onmouseover="window.__pwned=\'hover\'" onclick="alert(1)">数字人民币</span>应用覆盖零售、交通等领域。',
            "<a href=\"javascript:window.__pwned='link';alert(2)\">点击查看详情</a><style>body{display:none}</style>",
            '<img src="x" onerror="window.__pwned=\'img\';alert(3)"><svg onload="window.__pwned=\'svg\'"></svg>'
            "下一步，央行将稳妥推进数字人民币研发试点，完善相关制度安排。",
        ]
        path = f"{self.HOSTILE}202203/t20220301_2620001.html"
        self.html(path, _bj_article(self.HOSTILE_TITLE, "2022-03-01", "10:00", "人民银行", paras))
        items = [("./202203/t20220301_2620001.html", self.HOSTILE_TITLE, "2022-03-01")]
        self.html(f"{self.HOSTILE}index.html", _bj_list(items, 0, 1), is_list=True)

    def _policy(self) -> None:
        col = "/zhengce/zhengcefagui/"
        path = f"{col}202201/t20220110_2580001.html"
        title = "北京市人民政府关于印发《北京市“十四五”时期金融业发展规划》的通知"
        info = [
            ("发文机构", "北京市人民政府"), ("发文字号", "京政发〔2022〕5号"), ("主题分类", "财政、金融、审计"),
            ("成文日期", "2022年01月05日"), ("发布日期", "2022年01月10日"), ("实施日期", "2022年01月10日"), ("有效性", "现行有效"),
        ]  # fmt: skip
        doc = "".join(f"<li><label>{k}：</label><span>{v}</span></li>" for k, v in info)
        paras = [
            "各区人民政府，市政府各委、办、局，各市属机构：",
            "现将《北京市“十四五”时期金融业发展规划》印发给你们，请认真贯彻执行。",
            "规划提出，推进国家金融科技示范区建设，稳妥推进法定数字货币试点，发展绿色金融，建设全球绿色金融和可持续金融中心。",
        ]
        page = _bj_article(title, "2022-01-10", "17:00", "北京市人民政府办公厅", paras)
        page = page.replace('<div id="mainText">', f'<ol class="doc-info">{doc}</ol><div id="mainText">')
        page = page.replace(
            '<div class="footer">',
            '<ul class="fujian"><li><a href="./P020220110_规划全文.pdf">北京市“十四五”时期金融业发展规划.pdf</a></li>'
            '<li><a href="./P020220110_解读.docx">政策解读.docx</a></li></ul><div class="footer">',
        )
        self.html(path, page)
        self.html(
            f"{col}index.html",
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政策文件</title></head><body>'
            f'<ul class="default_news"><li><a href="./202201/t20220110_2580001.html" title="{esc(title)}">{esc(title)}</a>'
            "<span>2022-01-10</span></li></ul>"
            '<script>var pageName="index"; var pageExt="html"; var pageIndex=0; var pageCount=1;</script></body></html>',
            is_list=True,
        )


# ---------------------------------------------------------------- a GBK sub-site
class BeijingGbk(Site):
    """A district or bureau sub-site still on GBK: declared in the header, in a meta tag, or nowhere."""

    ARTICLES = [
        ("a1.html", "市发展改革委部署2022年重点工作", "2022-02-09 10:00", "header",
         ["市发展改革委召开会议，部署2022年重点工作，推动经济平稳健康发展。", "会议由委主任主持。"]),
        ("a2.html", "喆园社区开展垃圾分类宣传活动", "2022-02-08 15:30", "meta",
         ["喆园社区组织志愿者开展垃圾分类宣传，镕铸绿色生活理念。", "居民踊跃参与，现场气氛热烈。"]),
        ("a3.html", "区财政局公布2021年预算执行情况", "2022-02-07 09:45", "none",
         ["区财政局公布2021年预算执行情况，全年一般公共预算收入稳中有升。", "民生支出保持较高比重。"]),
    ]  # fmt: skip

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        lis = []
        for name, title, when, how, paras in self.ARTICLES:
            meta = (
                '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                if how == "meta"
                else ""
            )
            body = _bj_article(title, when[:10], when[11:], "北京市发展和改革委员会", paras).replace(
                '<meta charset="utf-8">', meta
            )
            ctype = "text/html; charset=GBK" if how == "header" else "text/html"
            self.pages[f"/col/{name}"] = Page(body.encode("gbk"), ctype)
            lis.append((f"./{name}", title, when[:10]))
        page = _bj_list(lis, 0, 1).replace('<meta charset="utf-8">', "")
        self.pages["/col/index.html"] = Page(page.encode("gbk"), "text/html; charset=GBK", is_list=True)


# ---------------------------------------------------------------- eastmoney
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
    """finance.eastmoney.com: two list pages, real rolling news, and the seed story with widgets."""

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


# ---------------------------------------------------------------- finews (Jekyll)
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


# ---------------------------------------------------------------- www.gov.cn
GOV_ARTICLES = [
    ("/zhengce/content/202201/content_5667817.htm", "国务院关于印发“十四五”数字经济发展规划的通知", "2022-01-12-17:00:00",
     "中国政府网", True, [
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
        "现将《“十四五”数字经济发展规划》印发给你们，请认真贯彻执行。",
        "规划提出，到2025年，数字经济核心产业增加值占国内生产总值比重达到10%，数据要素市场体系初步建立。",
    ]),
    ("/yaowen/liebiao/202202/content_5673001.htm", "国务院常务会议部署进一步做好稳就业工作", "2022-02-09 19:30:00",
     "新华社", False, [
        "国务院总理主持召开国务院常务会议，部署进一步做好稳就业工作，确定加大对小微企业和个体工商户的帮扶措施。",
        "会议指出，要落实好减税降费政策，加大普惠金融支持力度，稳定市场主体。",
    ]),
]  # fmt: skip


class GovCn(Site):
    """www.gov.cn: a JSON list (the column page is a JavaScript shell) and two article templates."""

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        rows = []
        for path, title, when, origin, policy, paras in GOV_ARTICLES:
            table = ""
            if policy:
                cells = [("索引号：", "000014349/2022-00003"), ("发文机关：", "国务院"), ("发文字号：", "国发〔2021〕29号"),
                         ("成文日期：", "2021年12月12日"), ("发布日期：", "2022年01月12日")]  # fmt: skip
                table = (
                    '<table class="bd1">'
                    + "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in cells)
                    + "</table>"
                )
            body = "".join(f"<p>{p}</p>" for p in paras)
            self.html(path, (
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(title)}_国务院文件_中国政府网</title>'
                f'<meta name="firstpublishedtime" content="{when}"><meta name="lanmu" content="最新政策">'
                f'<meta name="keywords" content="数字经济;规划"><meta name="ContentSource" content="{esc(origin)}">'
                f'</head><body>{table}<div class="share-title">{esc(title)}</div>'
                f'<div class="pages-date">{when[:10]} 来源：{esc(origin)}</div>'
                f'<div class="pages_content" id="UCAP-CONTENT">{body}</div><div class="footer">中国政府网</div></body></html>'
            ))  # fmt: skip
            rows.append({"TITLE": title, "URL": path, "DOCRELPUBTIME": when[:10]})
        self.pages["/zhengce/zuixin/ZUIXINZHENGCE.json"] = Page(
            json.dumps(rows, ensure_ascii=False).encode(), "application/json", is_list=True
        )


# ---------------------------------------------------------------- pbc.gov.cn (read with a `generic` source)
PBC_ARTICLES = [
    ("2022011009300012345", "人民银行召开数字人民币研发试点工作座谈会", "2022-01-10", [
        "近日，人民银行召开数字人民币研发试点工作座谈会，总结试点经验，部署下一阶段工作。",
        "会议要求，稳妥推进数字人民币研发试点，有序扩大试点范围，丰富数字人民币应用场景，提升数字人民币钱包的普惠性和便利性。",
    ]),
    ("2022010414000054321", "人民银行印发《金融科技发展规划（2022－2025年）》", "2022-01-04", [
        "人民银行印发《金融科技发展规划（2022－2025年）》，提出新时期金融科技发展指导意见。",
        "规划强调，健全金融科技治理体系，加快监管科技的全方位应用，深化金融科技创新监管工具实施。",
    ]),
]  # fmt: skip
PBC_LIST = "/goutongjiaoliu/113456/113469/index.html"
PBC_SELECTORS = {
    "list_item": "//td[font[@class='newslist_style']]",
    "link": "font.newslist_style a::attr(href)",
    "title": "font.newslist_style a::attr(title)",
    "date": "span.hui12::text",
    "article_title": "meta[name=ArticleTitle]::attr(content)",
    "article_date": "meta[name=PubDate]::attr(content)",
    "article_body": "#zoom",
}


class Pbc(Site):
    """pbc.gov.cn: table list pages with cut titles, #zoom bodies, and the WZWS anti-bot challenge."""

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        cells = []
        for doc_id, title, date, paras in PBC_ARTICLES:
            path = f"/goutongjiaoliu/113456/113469/{doc_id}/index.html"
            body = "".join(f"<p>{p}</p>" for p in paras)
            self.html(path, (
                f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{esc(title)}</title>'
                f'<meta name="ArticleTitle" content="{esc(title)}"><meta name="PubDate" content="{date} 09:30">'
                f'</head><body><div id="zoom">{body}</div></body></html>'
            ))  # fmt: skip
            cells.append((f"./{doc_id}/index.html", title, date))
        challenge = "/goutongjiaoliu/113456/113469/2022010310000099999/index.html"
        self.html(challenge, '<html><head><script>var wzwschallenge="A1B2";function wzwsconfirm(){document.cookie="wzwsconfirm=1";'
                  "location.reload();}</script></head><body onload=\"wzwsconfirm()\"></body></html>")  # fmt: skip
        cells.append(("./2022010310000099999/index.html", "人民银行发布2021年金融统计数据报告", "2022-01-03"))
        rows = "".join(
            f'<tr><td><font class="newslist_style"><a href="{href}" title="{esc(t)}">{esc(t[:12])}…</a></font>'
            f'<span class="hui12">{d}</span></td></tr>'
            for href, t, d in cells
        )
        self.html(
            PBC_LIST,
            f'<html><head><meta charset="utf-8"></head><body><table>{rows}</table></body></html>',
            is_list=True,
        )


# ---------------------------------------------------------------- hostile text (not in sample_sources)
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


# ---------------------------------------------------------------- a big generated site for bench/crawl
class Generated(Site):
    """N distinct articles in the beijing.gov.cn layout, 20 to a list page."""

    def __init__(self, name: str, articles: int, seed: int = 7) -> None:
        super().__init__(name)
        self.count, self.seed = articles, seed

    def build(self) -> None:
        rng = random.Random(self.seed)
        pool = _sentence_pool()
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        col = "/ywdt/yaowen/"
        entries = []
        start = datetime(2022, 1, 1, 8, 0)
        for i in range(self.count):
            when = start + timedelta(minutes=37 * i)
            sentences = rng.sample(pool, 14)
            paras = [f"（第{i}号）" + "".join(sentences[:4])] + [
                "".join(sentences[k : k + 2]) for k in range(4, 14, 2)
            ]
            title = f"北京市政务信息第{i}号：{rng.choice(C.BJ_NEWS)[3]}"
            path = f"{col}{when:%Y%m}/t{when:%Y%m%d}_{3000000 + i}.html"
            self.html(path, _bj_article(title, f"{when:%Y-%m-%d}", f"{when:%H:%M}", "北京日报", paras))
            entries.append(("./" + path[len(col) :], title, f"{when:%Y-%m-%d}"))
        entries.reverse()
        chunks = [entries[i : i + 20] for i in range(0, len(entries), 20)]
        for n, chunk in enumerate(chunks):
            name = "index.html" if n == 0 else f"index_{n}.html"
            self.html(f"{col}{name}", _bj_list(chunk, n, len(chunks)), is_list=True)


def _sentence_pool() -> list[str]:
    """Real sentences (the seed notice, the finews posts, the sample news) to compose distinct articles."""
    texts = C.seed_notice_paragraphs() + [p for n in C.BJ_NEWS for p in n[5]]
    texts += [re.sub(r"<[^>]+>", "", body) for _, _, body in C.finews_posts()]
    sentences = {s.strip() + "。" for t in texts for s in t.split("。") if 15 <= len(s.strip()) <= 120}
    return sorted(sentences)


def etag(body: bytes) -> str:
    return '"' + hashlib.md5(body).hexdigest()[:16] + '"'
