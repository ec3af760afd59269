"""UI labels: Chinese first, English by ?lang=en (remembered in a cookie) or Accept-Language."""

from __future__ import annotations

import re

from starlette.requests import Request

from .labels_me import ME_LABELS

__all__ = ["LANGS", "choose_lang", "error_text", "health_note", "translator"]

LANGS = ("zh", "en")

# key: (中文, English)
LABELS: dict[str, tuple[str, str]] = {
    "site": ("newsradar 新闻雷达", "newsradar"),
    "tagline": ("政府与金融新闻档案", "Government and finance news archive"),
    "meta_description": (
        "newsradar 新闻雷达：政府与金融新闻档案，按主题归类、合并转载，可全文搜索，并提供 Atom 订阅源与 JSON API。",
        "newsradar: an archive of Chinese government and finance news, grouped by topic with "
        "republished copies merged, full-text search, Atom feeds and a JSON API.",
    ),
    "home": ("首页", "Home"),
    "search": ("搜索", "Search"),
    "search_placeholder": ("搜索标题和正文，如 数字人民币", "Search titles and bodies (in Chinese)"),
    "topics": ("主题", "Topics"),
    "topic": ("主题", "Topic"),
    "sources": ("来源", "Sources"),
    "source": ("来源", "Source"),
    "subscribe": ("邮件订阅", "Subscribe"),
    "admin": ("管理", "Admin"),
    "all_topics": ("全部主题", "All topics"),
    "all_sources": ("全部来源", "All sources"),
    "from": ("起始日期", "From"),
    "to": ("截止日期", "To"),
    "filter": ("筛选", "Filter"),
    "matched_only": ("仅显示匹配主题的新闻", "Matched stories only"),
    "show_all": ("显示全部新闻", "Show all stories"),
    "show_matched": ("仅显示匹配的新闻", "Show matched stories only"),
    "latest_matched": ("最新匹配新闻", "Latest matched stories"),
    "latest_all": ("全部新闻", "All captured stories"),
    "no_stories": ("没有符合条件的新闻。", "No stories match."),
    "copies": ("转载", "copies"),
    "reprints": ("{n} 转载", "reprinted {n}×"),
    "colon": ("：", ": "),
    "total_stories": ("共 {n} 条新闻", "{n} stories"),
    "total_stories_about": ("约 {n} 条新闻", "about {n} stories"),
    "matched_copies": ("{n} 篇转载均命中", "matched in {n} copies"),
    "lead_body": ("主稿正文", "The lead's text"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page": ("第 {n} / {m} 页", "Page {n} of {m}"),
    "total": ("共 {n} 条", "{n} in all"),
    "retry_waiting": ("{n} 篇抓取失败的文章等待重试", "{n} failed articles waiting for a retry"),
    "retry_waiting_1": ("1 篇抓取失败的文章等待重试", "1 failed article waiting for a retry"),
    "retry_given_up": ("{n} 篇重试 {m} 次后放弃", "{n} given up after {m} attempts"),
    "beijing_time": ("北京时间", "Beijing time"),
    "unknown_time": ("时间未知", "time unknown"),
    "story": ("新闻", "Story"),
    "article": ("文章", "Article"),
    "copies_title": ("各来源的转载", "Every copy"),
    "evidence": ("匹配依据", "Evidence"),
    "score": ("得分", "score"),
    "terms": ("命中词", "terms"),
    "revisions": ("修订记录", "Revisions"),
    "replaced_at": ("替换于", "replaced at"),
    "original": ("原文链接", "Original"),
    "lead": ("主稿", "lead"),
    "policy": ("政策文件信息", "Policy document"),
    "doc_number": ("发文字号", "Document number"),
    "issuer": ("发文机构", "Issuer"),
    "subject": ("主题分类", "Subject"),
    "written_date": ("成文日期", "Written"),
    "published_date": ("发布日期", "Published"),
    "effective_date": ("生效日期", "Effective"),
    "validity": ("有效性", "Validity"),
    "attachments": ("附件", "Attachments"),
    "origin": ("稿源", "Origin"),
    "author": ("作者", "Author"),
    "published": ("发布时间", "Published"),
    "fetched": ("抓取时间", "Fetched"),
    "story_of": ("所属新闻", "Story"),
    "per_day": (
        "每日匹配新闻数（{start} 至 {end}，{n} 天）",
        "Matched stories per day ({start} to {end}, {n} days)",
    ),
    "per_source": ("各来源文章数", "Articles per source"),
    "topic_terms": ("主题词", "Terms"),
    "keywords": ("关键词", "Keywords"),
    "aliases": ("别名", "Aliases"),
    "exclusions": ("排除词", "Exclusions"),
    "feed": ("Atom 订阅源", "Atom feed"),
    "health": ("状态", "Health"),
    "last_crawl": ("最近抓取", "Last crawl"),
    "last_new": ("最近新文章", "Last new article"),
    "stored": ("已存文章", "Stored"),
    "never": ("从未", "never"),
    "nodes": ("抓取节点", "Crawler nodes"),
    "node": ("节点", "Node"),
    "node_up": ("在线", "up"),
    "node_down": ("离线", "down"),
    "node_jobs": ("运行 / 排队 / 已完成", "running / pending / finished"),
    "nodes_none_up": (
        "没有节点在线：抓取在本机子进程中进行",
        "No node is up: rounds run in a local child process",
    ),
    "on_node": ("节点", "on node"),
    "status_ok": ("正常", "OK"),
    "status_partial": ("部分失败", "partial"),
    "status_degraded": ("降级", "degraded"),
    "status_failing": ("失败", "failing"),
    "status_blocked": ("被网站反爬拦截", "blocked"),
    "status_quiet": ("长时间无新文章", "quiet"),
    "status_unknown": ("未知", "unknown"),
    "results": ("搜索结果", "Results"),
    "no_results": ("没有找到结果。", "Nothing found."),
    "search_help": (
        "两个及以上汉字即可检索；多个词为“且”，“引号”内为短语，-词 表示排除。",
        'Any two or more Chinese characters; several words must all occur, "quotes" for a phrase, -word to exclude.',
    ),
    "search_unavailable": ("搜索功能尚未启用。", "Search is not available yet."),
    "email": ("邮箱地址", "Email address"),
    "choose_topics": ("选择主题", "Choose topics"),
    "subscribe_button": ("订阅", "Subscribe"),
    "subscribe_sent": (
        "确认邮件已发送至 {addr}，请点击邮件中的链接完成订阅（{h} 小时内有效）。",
        "A confirmation mail went to {addr}: open its link to confirm (valid {h} hours).",
    ),
    "subscribe_off": (
        "邮件订阅暂不可用：{why}",
        "Email subscriptions are not available: {why}",
    ),
    "confirmed": (
        "订阅已确认：{addr} 将收到 {topics} 的新闻。",
        "Confirmed: {addr} will get news on {topics}.",
    ),
    "unsubscribe": ("退订", "Unsubscribe"),
    "unsubscribe_confirm": ("确定不再向 {addr} 发送提醒？", "Stop sending alerts to {addr}?"),
    "unsubscribed": ("已退订：{addr} 不会再收到提醒。", "Unsubscribed: {addr} gets no more alerts."),
    "digests": ("每日摘要", "Daily digests"),
    "no_digests": ("还没有摘要。", "No digests yet."),
    "digest_of": ("{day} 的摘要", "Digest of {day}"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "password": ("密码", "Password"),
    "subscribers": ("订阅者", "Subscribers"),
    "dead": ("失败的投递", "Dead deliveries"),
    "pending": ("待发送的投递", "Pending deliveries"),
    "retry": ("重试", "Retry"),
    "inactive_channels": ("已停用的渠道", "Deactivated channels"),
    "error": ("出错了", "Error"),
    "back_home": ("返回首页", "Back to the home page"),
    "language": ("English", "中文"),
    "sep": ("、", ", "),
    "error_detail": ("详细原因（英文）", "Details"),
    "select": ("选择", "Select"),
    "delivery_pending": ("待发送", "pending"),
    "delivery_sending": ("发送中", "sending"),
    "delivery_sent": ("已发送", "sent"),
    "delivery_dead": ("发送失败", "failed"),
    "delivery_skipped": ("已跳过", "skipped"),
    "nav_main": ("主导航", "Main"),
    "nav_pages": ("翻页", "Pages"),
    "nav_admin": ("管理页面", "Admin pages"),
    "api_link": ("API 接口说明", "API"),
    "stories_7_30": ("7 天 {week} 条 · 30 天 {month} 条", "{week} in 7 days · {month} in 30 days"),
    "more_filters": ("按主题、来源、日期筛选", "Filter by topic, source, date"),
    "mode": ("方式", "Mode"),
    "mode_both": ("即时提醒 + 每日摘要", "instant alerts + daily digest"),
    "mode_instant": ("即时提醒", "instant alerts"),
    "mode_digest": ("每日摘要", "daily digest"),
    "kind_instant": ("即时提醒", "instant alert"),
    "kind_digest": ("每日摘要", "daily digest"),
    "channel_email": ("邮件", "email"),
    "channel_telegram": ("Telegram", "Telegram"),
    "channel_console": ("控制台", "console"),
    "channel_apprise": ("Apprise", "Apprise"),
    "col_name": ("名称", "Name"),
    "col_kind": ("类型", "Kind"),
    "col_channels": ("渠道", "Channels"),
    "col_story_day": ("新闻 / 日期", "Story / day"),
    "col_channel": ("渠道", "Channel"),
    "col_attempts": ("尝试次数", "Attempts"),
    "col_error": ("错误", "Error"),
    "col_reason": ("原因", "Reason"),
    "col_subscriber": ("订阅者", "Subscriber"),
    "col_note": ("说明", "Note"),
    "paused": ("已暂停", "paused"),
    "select_delivery": ("选择投递 {n}", "Select delivery {n}"),
    "wrong_password": ("密码错误", "wrong password"),
    "too_many_logins": (
        "登录失败次数过多，请 {n} 秒后再试",
        "too many failed logins: try again in {n} seconds",
    ),
    "bad_email": ("邮箱地址无效", "not a valid email address"),
    "choose_one_topic": ("请至少选择一个主题", "choose at least one topic"),
    "unknown_topic": ("没有这个主题：{x}", "no topic {x}"),
    "unknown_mode": ("没有这种订阅方式", "no such mode"),
    "no_secret": (
        "未设置 NEWSRADAR_SECRET_KEY（用于签名确认链接）",
        "NEWSRADAR_SECRET_KEY is not set (it signs confirmation links)",
    ),
    "no_email": (
        "配置中没有 [email] 部分（无法发送确认邮件）",
        "no [email] section in the config (the confirmation mail cannot be sent)",
    ),
}
LABELS.update(ME_LABELS)

# Chinese text of error pages by status, when the route gave no Chinese message of its own.
STATUS_ZH = {
    400: "请求有误，请检查链接或输入。",
    401: "需要先登录。",
    403: "链接无效：请从邮件中复制完整链接。",
    404: "找不到该页面。",
    405: "不支持此请求方式。",
    410: "链接已过期。",
    429: "请求过于频繁，请稍后再试。",
    500: "内部错误，已记入日志。",
    503: "服务暂时不可用，请稍后再试。",
}


def error_text(lang: str, status: int, message: str, zh: str | None = None) -> str:
    """An error page's message in the page's language (English messages are the API's)."""
    if lang == "en":
        return message
    return zh or STATUS_ZH.get(status, STATUS_ZH[400 if status < 500 else 500])


_IN_A_ROW = re.compile(r"\((\d+) crawls? in a row\)")


def health_note(h: dict, lang: str) -> tuple[str, str]:
    """A source's health note in the page's language, and the site's own error text (shown as
    is, marked as not for translation) when there is one."""
    run = h.get("last_run") or {}
    detail = h.get("detail") or ""
    status = h.get("status")
    raw = ""
    if status in ("failing", "partial") and " e.g. " in detail:
        raw = detail.split(" e.g. ", 1)[1]
    elif status == "failing" and not detail.startswith("its list pages"):
        raw = _IN_A_ROW.sub("", detail).strip()
    if lang == "en":  # storage words it in English; only the site's own text is set apart
        if not raw:
            return detail, ""
        row = _IN_A_ROW.search(detail)
        lead = detail.split(" e.g. ", 1)[0].rstrip(",") + ", e.g." if " e.g. " in detail else "crawl failed"
        return (f"{lead} ({row.group(1)} in a row)" if row and status == "failing" else lead), raw
    row = _IN_A_ROW.search(detail)
    n_row = f"（连续 {row.group(1)} 次）" if row else ""
    notes = {
        "unknown": "从未抓取",
        "blocked": f"被网站的反爬验证拦截：网站用 JavaScript 检查代替页面，未存储任何内容{n_row}",
        "failing": f"列表页没有取到链接{n_row}" if not raw else f"抓取失败{n_row}",
        "degraded": f"{run.get('fallback', 0)} 篇文章需要通用提取：网站模板可能已改变",
        "quiet": "长时间没有新文章：超过其通常间隔的数倍",
        "ok": "",
    }
    if status == "partial":
        if run.get("blocked") and "bot challenge" in detail:
            return f"{run['blocked']} 篇文章被网站的反爬验证拦截，未存储", ""
        return f"{run.get('errors', 0)} 个页面抓取失败，例如", raw
    return notes.get(status, ""), raw


def choose_lang(request: Request) -> str:
    """?lang= first (and the cookie it sets), then Accept-Language; Chinese by default."""
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGS:
        return asked
    header = request.headers.get("accept-language", "")
    best: tuple[float, str] = (0.0, "zh")
    for part in header.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        primary = tag.split("-")[0].lower()
        if primary in LANGS and weight > best[0]:
            best = (weight, primary)
    return best[1]


def translator(lang: str):
    """t(key, **values) for templates; unknown keys show as themselves (never a 500)."""
    index = 1 if lang == "en" else 0

    def t(key: str, **values: object) -> str:
        pair = LABELS.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t
