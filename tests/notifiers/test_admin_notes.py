"""Admin notes survive a failing channel: each recipient that could not be told is retried."""

from __future__ import annotations

import asyncio
import time

import pytest

from notifiers import notifier_settings
from notifiers.admin import AdminNotes
from tests.fakes.telegram_api import FakeBotAPI
from tests.notifiers.helpers import SECRET, make_env


@pytest.fixture
def api():
    with FakeBotAPI() as server:
        yield server


def _notes(tmp_path, api, attempts: int = 6) -> AdminNotes:
    env = make_env(tmp_path, telegram=api.url, admin_chats=["999", "998"])
    from newsradar.context import Context

    return AdminNotes(notifier_settings(Context(str(env.config)).config), attempts=attempts, first_wait=30.0)


def test_a_failed_admin_note_is_retried_for_that_recipient_only(tmp_path, api):
    notes = _notes(tmp_path, api)
    api.fail("sendMessage", 400, "Bad Request: chat not found", chat_id="999")
    told = asyncio.run(notes.send("bj-yaowen 失败", "列表页无法访问", SECRET.encode()))
    assert told == ["telegram 998"] and not api.sent("999")
    assert [sorted(n.to) for n in notes.pending] == [["telegram 999"]]
    # not due yet: nothing is sent again
    assert asyncio.run(notes.retry_due(SECRET.encode())) == 0
    assert asyncio.run(notes.retry_due(SECRET.encode(), now=time.monotonic() + 31)) == 1
    assert [c.text for c in api.sent("999")] == ["<b>bj-yaowen 失败</b>\n列表页无法访问"]
    assert len(api.sent("998")) == 1 and notes.pending == []


def test_an_admin_note_is_given_up_after_its_attempts_and_the_log_says_so(tmp_path, api, caplog):
    notes = _notes(tmp_path, api, attempts=2)
    api.fail("sendMessage", 400, "Bad Request: chat not found", chat_id="999", times=5)
    asyncio.run(notes.send("源失效", "详情", SECRET.encode()))
    asyncio.run(notes.retry_due(SECRET.encode(), now=time.monotonic() + 3600))
    assert notes.pending == [] and not api.sent("999")
    assert "gave up telling telegram 999 after 2 attempts: 源失效" in caplog.text
