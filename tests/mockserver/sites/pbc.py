"""pbc.gov.cn news columns: two list pages, articles in both templates, the WZWS challenge."""

from __future__ import annotations

from .base import ROBOTS, Page, Site, esc

COLUMN = "/goutongjiaoliu/113456/113469"
# (doc id, title, list date, body paragraphs, attachment): page 1 of the column
PBC_ARTICLES = [
    ("2022011009300012345", "人民银行召开数字人民币研发试点工作座谈会", "2022-01-10", [
        "近日，人民银行召开数字人民币研发试点工作座谈会，总结试点经验，部署下一阶段工作。",
        "会议要求，稳妥推进数字人民币研发试点，有序扩大试点范围，丰富数字人民币应用场景，提升数字人民币钱包的普惠性和便利性。",
    ], None),
    ("2022010414000054321", "人民银行印发《金融科技发展规划（2022－2025年）》", "2022-01-04", [
        "人民银行印发《金融科技发展规划（2022－2025年）》，提出新时期金融科技发展指导意见。",
        "规划强调，健全金融科技治理体系，加快监管科技的全方位应用，深化金融科技创新监管工具实施。",
    ], None),
]  # fmt: skip
# page 2 (11040-2.html): an older article with an attachment, in the xxy_text template without metas
PBC_PAGE2 = [
    ("2021122816050067890", "中国人民银行关于发布《金融机构客户尽职调查和客户身份资料及交易记录保存管理办法》的公告",
     "2021-12-28", [
        "为规范金融机构客户尽职调查和客户身份资料及交易记录保存行为，人民银行制定了本办法，现予发布。",
        "本办法自2022年3月1日起施行。",
    ], "/goutongjiaoliu/113456/113469/2021122816050067890/2021122816050067890_1.pdf"),
]  # fmt: skip
CHALLENGE_DOC = "2022010310000099999"
PBC_LIST = f"{COLUMN}/index.html"
PBC_PAGE2_LIST = f"{COLUMN}/11040-2.html"
# Another column of the same site that answers a plain client with the challenge instead of its list.
PBC_BLOCKED_LIST = "/zhengcehuobisi/125207/125213/index.html"
PBC_SELECTORS = {
    "list_item": "//td[font[@class='newslist_style']]",
    "link": "font.newslist_style a::attr(href)",
    "title": "font.newslist_style a::attr(title)",
    "date": "span.hui12::text",
    "article_title": "meta[name=ArticleTitle]::attr(content)",
    "article_date": "meta[name=PubDate]::attr(content)",
    "article_body": "#zoom",
}
# What WZWS serves: a script that computes cookies from a question and reloads (shape, not a copy).
CHALLENGE_HTML = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title></title>'
    '<script type="text/javascript">var dynamicurl="/WZWSREL2dvdXRvbmdqaWFvbGl1";var wzwsquestion="Q7x2";'
    'var wzwsfactor="4821";var wzwsmethod="post";var wzwsparams="";'
    "function wzwschallenge(){return wzwsquestion.length*wzwsfactor;}"
    'function wzwsconfirm(){document.cookie="wzwstemplate=NA==; path=/";'
    'document.cookie="wzwschallenge="+wzwschallenge()+"; path=/";location.href=dynamicurl;}'
    "wzwsconfirm();</script></head><body><noscript>请开启JavaScript并刷新该页</noscript></body></html>"
)


def _article(title: str, date: str, paras: list[str], attachment: str | None) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    if attachment is None:  # the current template: metas and #zoom
        return (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{esc(title)}</title>'
            f'<meta name="ArticleTitle" content="{esc(title)}"><meta name="PubDate" content="{date} 09:30">'
            f'<meta name="ContentSource" content="中国人民银行"></head><body><div id="zoom">{body}</div></body></html>'
        )  # fmt: skip
    link = f'<p>附件：<a href="{attachment}">管理办法全文.pdf</a></p>'
    return (
        f'<html><head><meta charset="utf-8"><title>{esc(title)}</title></head><body>'
        f'<table><tr><td><h2>{esc(title)}</h2></td></tr><tr><td><span class="hui12">来源：条法司</span>'
        f'<span class="hui12">{date} 16:05:00</span></td></tr></table>'
        f'<div class="xxy_text">{body}{link}</div></body></html>'
    )  # fmt: skip


def _rows(cells: list[tuple[str, str, str]]) -> str:
    return "".join(
        f'<tr><td><font class="newslist_style"><a href="{href}" title="{esc(t)}">{esc(t[:12])}…</a></font>'
        f'<span class="hui12">{d}</span></td></tr>'
        for href, t, d in cells
    )


def _list(rows: str, pager: str) -> str:
    return f'<html><head><meta charset="utf-8"></head><body><table>{rows}</table><div class="pager">{pager}</div></body></html>'


class Pbc(Site):
    """pbc.gov.cn: table list pages with cut titles, two pages, #zoom and xxy_text bodies, an
    attachment, a file-only row, and the WZWS anti-bot challenge on an article and on a list."""

    def build(self) -> None:
        self.pages = {"/robots.txt": Page(ROBOTS.encode(), "text/plain")}
        first, second = [], []
        for cells, articles in ((first, PBC_ARTICLES), (second, PBC_PAGE2)):
            for doc_id, title, date, paras, attachment in articles:
                self.html(f"{COLUMN}/{doc_id}/index.html", _article(title, date, paras, attachment))
                cells.append((f"./{doc_id}/index.html", title, date))
        self.html(f"{COLUMN}/{CHALLENGE_DOC}/index.html", CHALLENGE_HTML)
        first.append((f"./{CHALLENGE_DOC}/index.html", "人民银行发布2021年金融统计数据报告", "2022-01-03"))
        # a row that is only a file download: no article page to read
        second.append(
            (
                "./2021122010000011111/2021年第四季度货币政策执行报告.pdf",
                "2021年第四季度货币政策执行报告",
                "2021-12-20",
            )
        )
        pager = '<a href="index.html">1</a> <a href="11040-2.html">2</a>'
        self.html(PBC_LIST, _list(_rows(first), pager), is_list=True)
        self.html(
            PBC_PAGE2_LIST, _list(_rows(second), pager + ' <a href="index.html">上一页</a>'), is_list=True
        )
        self.html(PBC_BLOCKED_LIST, CHALLENGE_HTML)
