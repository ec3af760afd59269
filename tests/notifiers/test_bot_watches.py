"""The bot's watch commands through python-telegram-bot against the loopback Bot API: /follow,
/watches with a remove button each, /unfollow N, the follow button under /search, /start with the
web's deep-link code, and /me's signed link; answers in Chinese and English, typed text escaped."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select

from notifiers.follow_links import deep_link
from notifiers.tokens import me_subscriber
from storage import Channel
from storage import watches as store
from tests.notifiers.helpers import SECRET, article, ingest
from tests.notifiers.test_bot import CHAT, bot, reply_to  # noqa: F401 - the fixture
from tests.notifiers.test_telegram import dispatch

__all__ = ["bot"]


def _queries(env) -> list[str]:
    with env.db.session() as s:
        ch = s.scalar(select(Channel).where(Channel.kind == "telegram", Channel.address == str(CHAT)))
        return [w.query for w in store.list_watches(s, subscriber_id=ch.subscriber_id)] if ch else []


def _buttons(markup: dict) -> dict[str, str]:
    return {b["callback_data"]: b["text"] for row in markup["inline_keyboard"] for b in row}


def test_follow_list_unfollow_and_the_remove_button(bot):
    api, env = bot
    names = {c["command"] for c in api.calls_of("setMyCommands")[0].params["commands"]} if api.wait_for(
        lambda: api.calls_of("setMyCommands"), timeout=10) else set()  # fmt: skip
    assert {"follow", "watches", "unfollow", "me"} <= names
    assert "Usage" in reply_to(api, "/follow")
    said = reply_to(api, "/follow 绿色债券 <b>发行</b>")
    assert "Following" in said and "已关注" in said and "&lt;b&gt;发行&lt;/b&gt;" in said
    refused = reply_to(api, "/follow -绿色债券")
    assert "exclusion" in refused.lower() and _queries(env) == ["绿色债券 <b>发行</b>"]
    assert "Following" in reply_to(api, "/follow 新规 發行")
    listing = reply_to(api, "/watches")
    assert "1. 绿色债券 &lt;b&gt;发行&lt;/b&gt;" in listing and "2. 新规 發行" in listing and "30" in listing
    buttons = _buttons(api.sent(CHAT)[-1].params["reply_markup"])
    assert len(buttons) == 2 and all(k.startswith("w:") for k in buttons)

    assert "No followed search number 5" in reply_to(api, "/unfollow 5")
    assert "Stopped following" in reply_to(api, "/unfollow 2")
    assert _queries(env) == ["绿色债券 <b>发行</b>"]
    (first,) = [k for k, text in buttons.items() if "绿色债券" in text]
    api.push_callback(CHAT, first)
    assert api.wait_for(lambda: api.calls_of("editMessageText"), timeout=15)
    assert "You follow no search yet" in api.calls_of("editMessageText")[-1].params["text"]
    assert api.wait_for(lambda: api.calls_of("answerCallbackQuery"), timeout=5)
    assert "Removed" in api.calls_of("answerCallbackQuery")[-1].params["text"]
    assert _queries(env) == []


def test_search_results_carry_a_follow_button(bot):
    api, env = bot
    assert "绿色债券" in reply_to(api, "/search 绿色债券")
    buttons = _buttons(api.sent(CHAT)[-1].params["reply_markup"])
    assert list(buttons) == ["fq:绿色债券"] and "Follow" in buttons["fq:绿色债券"]
    before = len(api.sent(CHAT))
    api.push_callback(CHAT, "fq:绿色债券")
    assert api.wait_for(lambda: len(api.sent(CHAT)) > before, timeout=15)
    assert "Following" in api.sent(CHAT)[-1].text and _queries(env) == ["绿色债券"]
    long_query = "绿色债券 " + " ".join(["新规"] * 12)  # over 64 bytes: kept in the chat's memory
    reply_to(api, f"/search {long_query}")
    (data,) = _buttons(api.sent(CHAT)[-1].params["reply_markup"])
    assert data.startswith("fn:") and len(data.encode()) <= 64


def test_the_webs_deep_link_becomes_a_watch_once_and_me_is_a_signed_link(bot):
    api, env = bot
    with env.db.session() as s:
        url = deep_link(
            s,
            SECRET.encode(),
            "newsradar_test_bot",
            {"q": "数字人民币 -冬奥", "topics": [], "sources": [], "b": 0},
        )
        s.commit()
    code = parse_qs(urlsplit(url).query)["start"][0]
    assert "Following" in reply_to(api, f"/start {code}")
    assert _queries(env) == ["数字人民币 -冬奥"]
    assert "expired" in reply_to(api, f"/start {code}")  # used once
    assert "not valid" in reply_to(api, f"/start {code[:-3]}abc")
    assert _queries(env) == ["数字人民币 -冬奥"]
    # Its first alert: a new story the query matches goes through the outbox to this chat.
    ingest(env, [article(7, "green_finance", title="数字人民币跨境支付试点扩大",
                         body="数字人民币跨境支付试点扩大到更多城市，相关机构表示将稳步推进。")])  # fmt: skip
    report, _ = dispatch(env)
    alerts = [m.text for m in api.sent(CHAT) if "数字人民币跨境支付试点扩大" in m.text]
    assert len(alerts) == 1 and "数字人民币 -冬奥" in alerts[0], [m.text for m in api.sent(CHAT)][-3:]
    me = reply_to(api, "/me")
    token = unquote(re.search(r"/me\?token=([^\"&]+)", me).group(1))
    sub_id, problem = me_subscriber(token, SECRET.encode())
    with env.db.session() as s:
        ch = s.scalar(select(Channel).where(Channel.kind == "telegram", Channel.address == str(CHAT)))
        assert problem is None and sub_id == ch.subscriber_id
