"""www.gov.cn: State Council policy articles."""

from __future__ import annotations

import json

from .base import ROBOTS, Page, Site, esc

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
