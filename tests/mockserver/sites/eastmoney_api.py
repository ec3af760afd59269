"""eastmoney's JSON answers: the column API, the 7x24 fast news, the share page and its body.

Shapes follow what public callers of the real API read (see /work/shared/sites.md section 2):
`{code, message, data: {list: [...]}}` with code "1" on success; requests without req_trace
are refused, as the real API refuses them. The error answer's wording is inferred.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from .base import Page, esc

SHARE_CODE = "202208221234567890"
SHARE_TITLE = "城市副中心发布数字人民币应用场景建设方案"
SHARE_PARAS = [
    "北京城市副中心日前发布数字人民币应用场景建设方案，将在政务服务、交通出行等领域推广数字人民币支付。",
    "方案提出，到2023年底，副中心重点商圈数字人民币受理环境基本实现全覆盖。",
]
# The fast news (7x24) list: two items with codes, one without.
FAST_NEWS = [
    {"code": "202608223490000002", "title": "央行开展2000亿元逆回购操作",
     "digest": "【央行开展2000亿元逆回购操作】中国人民银行今日以利率招标方式开展了2000亿元7天期逆回购操作，中标利率1.80%。",
     "showTime": "2026-08-22 10:12:00"},
    {"code": "202608223490000001", "title": "北京城市副中心数字人民币试点扩围",
     "digest": "【北京城市副中心数字人民币试点扩围】通州区宣布数字人民币试点范围扩大至全部政务服务大厅。",
     "showTime": "2026-08-22 09:58:30"},
    {"code": "", "title": "沪深两市成交额突破万亿元",
     "digest": "沪深两市成交额突破1万亿元，较上一交易日同一时段放量。", "showTime": "2026-08-22 09:45:00"},
]  # fmt: skip
REFUSED = {"code": "-1", "message": "req_trace is required", "data": None}


def _json(data: object) -> Page:
    return Page(json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


def column_answer(base: str, query: str, items: list[tuple[str, str, str]]) -> Page:
    """getNewsByColumns: column 350 lists four of the site's articles and a share page, two a page;
    an unknown column is an error answer, as is a request without req_trace."""
    q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not q.get("req_trace"):
        return _json(REFUSED)
    if q.get("column") != "350":
        return _json({"code": "-2", "message": f"column {q.get('column')} does not exist", "data": None})
    rows = [
        {"code": code, "title": title, "summary": title, "showTime": f"{when}:00",
         "uniqueUrl": f"{base}/a/{code}.html", "mediaName": "东方财富网"}
        for code, title, when in items[:4]
    ]  # fmt: skip
    rows.insert(1, {"code": SHARE_CODE, "title": SHARE_TITLE, "summary": SHARE_PARAS[0],
                    "showTime": "2022-08-22 09:30:00", "mediaName": "北京日报",
                    "uniqueUrl": f"{base}/a/NewsShare.html?infoCode=NW{SHARE_CODE}"})  # fmt: skip
    page = int(q.get("page_index") or 1)
    chunk = rows[(page - 1) * 2 : page * 2]
    return _json({"code": "1", "message": "success", "data": {"page_index": page, "list": chunk}})


def fast_answer(query: str) -> Page:
    q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if not q.get("req_trace"):
        return _json(REFUSED)
    if q.get("fastColumn") != "102":
        return _json({"code": "-2", "message": "fastColumn does not exist", "data": None})
    rows = FAST_NEWS if not q.get("sortEnd") else []
    data = {"fastNewsList": rows, "sortEnd": "1787985500" if rows else "", "total": len(rows)}
    return _json({"code": "1", "message": "success", "data": data})


def share_shell(query: str) -> Page | None:
    """NewsShare.html?infoCode=NW<code>: a script shell; the body comes from GetNewsText.do."""
    code = parse_qs(query).get("infoCode", [""])[0]
    if code != f"NW{SHARE_CODE}":
        return None
    return Page((
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>东方财富网</title>'
        '<script src="//emcharts.example/jquery.min.js"></script><script>'
        f'var infoCode = "{esc(code)}".replace(/^NW/, "");'
        '$.getJSON("/NewsData/GetNewsText.do?id=" + infoCode, function (d) { render(d.data); });'
        '</script></head><body><div id="app">加载中…</div></body></html>'
    ).encode())  # fmt: skip


def share_body(query: str) -> Page:
    if parse_qs(query).get("id", [""])[0] != SHARE_CODE:
        return _json({"code": -1, "message": "news not found", "data": None})
    content = "".join(f"<p>{p}</p>" for p in SHARE_PARAS)
    data = {
        "title": SHARE_TITLE,
        "showTime": "2022-08-22 09:30:00",
        "mediaName": "北京日报",
        "content": content,
    }
    return _json({"code": 0, "message": "success", "data": data})


def api_answer(base: str, path: str, query: str, items: list[tuple[str, str, str]]) -> Page | None:
    """The JSON answers by path, or None for the site's ordinary pages."""
    if path == "/comm/web/getNewsByColumns":
        return column_answer(base, query, items)
    if path == "/comm/web/getFastNewsList":
        return fast_answer(query)
    if path == "/a/NewsShare.html":
        return share_shell(query)
    if path == "/NewsData/GetNewsText.do":
        return share_body(query)
    return None
