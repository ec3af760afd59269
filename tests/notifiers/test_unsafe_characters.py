"""Telegram, email and Apprise messages carry no character XML 1.0 forbids, no other non-character
and no bidi control, even for an article stored before the crawler stripped them (issue 23, 4)."""

from __future__ import annotations

from dataclasses import replace

from processor import Ingestor
from tests.notifiers.helpers import article, make_env, subscribe

HOSTILE = "\ufffe\uffff\u202e\u2066\U0010ffff\x0b"


def _clean(text: str) -> None:
    for ch in HOSTILE:
        assert ch not in text, f"U+{ord(ch):04X} reached a message"


def test_messages_on_every_channel_carry_none(tmp_path, servers):
    api, smtp, hook = servers
    env = make_env(tmp_path, telegram=api.url, smtp_port=smtp.port)
    subscribe(env, [("telegram", "1001"), ("email", "a@example.org"), ("apprise", hook.url("/a"))],
              ["digital_currency"])  # fmt: skip
    item = article(1, "digital_currency", title=f"第1号 数字人民币{HOSTILE}试点")
    item = replace(item, body_text=item.body_text.replace("。", f"{HOSTILE}。", 1))
    with env.db.session() as s:  # stored as it was crawled, without the extraction's cleaning
        Ingestor(env.ctx().matcher()).ingest(s, item)
    env.run("dispatch")
    [tg] = api.sent("1001")
    assert "第1号 数字人民币" in tg.text and "试点" in tg.text
    _clean(tg.text)
    [mail] = smtp.to("a@example.org")
    _clean(mail.message["Subject"])
    _clean(mail.message.get_body(("plain",)).get_content())
    _clean(mail.message.get_body(("html",)).get_content())
    [post] = [p for p in hook.ok_posts() if p.path == "/a"]
    _clean(post.json["message"] + post.json.get("title", ""))
