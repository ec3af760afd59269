"""`newsradar bot` as a subprocess, long-polling the loopback Bot API fake: updates in, replies out."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest
from sqlalchemy import select

from storage import Channel, Subscriber, Subscription
from tests.fakes.telegram_api import FakeBotAPI
from tests.notifiers.helpers import article, ingest, make_env

CHAT = 4242


@pytest.fixture
def bot(tmp_path):
    with FakeBotAPI() as api:
        env = make_env(tmp_path, telegram=api.url)
        copy = article(1, "green_finance", source="eastmoney", title="第1号 绿色债券 <发行> & 新规",
                       url="https://finews.example/copy-1.html")  # fmt: skip
        ingest(env, [article(1, "green_finance", title="第1号 绿色债券 <发行> & 新规"), copy])
        proc = env.popen("bot", "--poll-timeout", "1")
        try:
            assert api.wait_for(lambda: api.calls_of("getUpdates"), timeout=30), proc.stderr
            yield api, env
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except Exception:
                proc.kill()


def reply_to(api: FakeBotAPI, text: str, *, method: str = "sendMessage", chat: int = CHAT) -> str:
    """Send a command and wait for the bot's next reply to that chat."""
    before = len(api.sent(chat, method=method))
    api.push_command(chat, text)
    assert api.wait_for(lambda: len(api.sent(chat, method=method)) > before, timeout=15), (
        f"no reply to {text}"
    )
    return api.sent(chat, method=method)[-1].text


def test_bot_commands(bot):
    api, env = bot
    methods = [c.method for c in list(api.calls)]
    # The bot checks its token and drops any webhook before it starts polling.
    assert "getMe" in methods and "deleteWebhook" in methods, methods
    assert methods.index("getMe") < methods.index("getUpdates"), methods
    assert methods.index("deleteWebhook") < methods.index("getUpdates"), methods
    assert api.wait_for(lambda: len(api.calls_of("setMyCommands")) == 2, timeout=10)
    names = {c["command"] for c in api.calls_of("setMyCommands")[0].params["commands"]}
    assert {"topics", "subscribe", "unsubscribe", "mysubs", "search", "pause", "resume", "help"} <= names

    welcome = reply_to(api, "/start")
    assert "Welcome" in welcome and "/subscribe" in welcome and "订阅" in welcome
    assert "/search" in reply_to(api, "/help")
    assert "You follow no topic" in reply_to(api, "/mysubs")

    assert "Subscribed" in reply_to(api, "/subscribe green_finance")
    assert "Already following" in reply_to(api, "/subscribe green_finance")
    assert "Unknown topic" in reply_to(api, "/subscribe bogus<x>")
    assert "绿色金融" in reply_to(api, "/mysubs")

    # /topics shows buttons; a tap toggles the subscription and redraws the buttons
    reply_to(api, "/topics")
    markup = api.sent(CHAT)[-1].params["reply_markup"]
    buttons = {b["callback_data"]: b["text"] for row in markup["inline_keyboard"] for b in row}
    assert buttons["t:green_finance"].startswith("✅") and buttons["t:fintech"].startswith("➕")
    api.push_callback(CHAT, "t:fintech")
    assert api.wait_for(lambda: api.calls_of("editMessageText"), timeout=15)
    assert api.wait_for(lambda: api.calls_of("answerCallbackQuery"), timeout=5)
    edited = api.calls_of("editMessageText")[-1].params["reply_markup"]
    buttons = {b["callback_data"]: b["text"] for row in edited["inline_keyboard"] for b in row}
    assert buttons["t:fintech"].startswith("✅")
    assert "Subscribed" in api.calls_of("answerCallbackQuery")[-1].params["text"]

    assert "Unsubscribed" in reply_to(api, "/unsubscribe green_finance")
    assert "paused" in reply_to(api, "/pause")
    assert "resumed" in reply_to(api, "/resume")

    found = reply_to(api, "/search 绿色债券")
    assert (
        "第1号 绿色债券 &lt;发行&gt; &amp; 新规" in found
        and "https://example.gov.cn/green_finance/1.html" in found
    )
    assert "(+1 转载 reprints)" in found and "copy-1.html" not in found  # one line per story
    assert "Nothing found" in reply_to(api, "/search 不存在的词")
    two_chars_traditional = reply_to(api, "/search 新规 發行")
    assert "https://example.gov.cn/green_finance/1.html" in two_chars_traditional
    assert "Only exclusions" in reply_to(api, "/search -绿色债券")

    with env.db.session() as s:
        ch = s.scalar(select(Channel).where(Channel.kind == "telegram", Channel.address == str(CHAT)))
        sub = s.get(Subscriber, ch.subscriber_id)
        assert sub.paused is False
        assert set(s.scalars(select(Subscription.topic_id).where(Subscription.subscriber_id == sub.id))) == {
            "fintech"
        }


@pytest.mark.sqlite_only("holds a SQLite write lock")
def test_a_locked_database_does_not_stop_the_bot(bot):
    """A handler waiting on a SQLite lock (up to busy_timeout) waits in a worker thread: the
    event loop keeps polling, and the reply comes once the lock is gone."""
    api, env = bot
    assert "Welcome" in reply_to(api, "/start")  # the chat's subscriber exists
    lock = sqlite3.connect(env.dir / "nr.db", timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # every writer now waits until we let go
    try:
        before = len(api.sent(CHAT))
        uid = api.push_command(CHAT, "/pause")
        # the bot has fetched /pause once it asks for later updates; its handler then waits on the lock
        assert api.wait_for(
            lambda: any(int(c.params.get("offset") or 0) > uid for c in api.calls_of("getUpdates")),
            timeout=15,
        ), "the bot stopped polling once it fetched /pause (its handler blocks the event loop)"
        time.sleep(1.0)
        polls = len(api.calls_of("getUpdates"))
        assert api.wait_for(lambda: len(api.calls_of("getUpdates")) >= polls + 2, timeout=10), (
            "the bot stopped polling while a handler waited on the database"
        )
        assert len(api.sent(CHAT)) == before  # /pause is still waiting for the lock
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert api.wait_for(lambda: len(api.sent(CHAT)) > before, timeout=30)
    assert "paused" in api.sent(CHAT)[-1].text
