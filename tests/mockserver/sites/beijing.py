"""www.beijing.gov.cn (要闻, 政策文件, every kind of bad page) and a GBK sub-site."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from .. import content as C
from .base import ROBOTS, Page, Site, esc


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
