"""pbc.gov.cn news columns."""

from __future__ import annotations

from .base import ROBOTS, Page, Site, esc

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
