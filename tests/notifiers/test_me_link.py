"""Every alert and digest email carries a signed link to the subscriber's own page (/me), in the
text and the HTML part, beside the unsubscribe link; the link names that subscriber."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import unquote

from notifiers.alerts import Alert, ChannelBatch, Digest
from notifiers.base import Message
from notifiers.mail import build_email
from notifiers.settings import AlertSettings, EmailSettings
from notifiers.tokens import me_subscriber

SECRET = b"s" * 32
ALERT = Alert([11], 1, "央行：数字人民币试点场景持续扩大", "https://example.gov.cn/2.html", ["pbc-news"],
              datetime(2026, 5, 1, tzinfo=UTC), ["digital_currency"], ["数字货币"], "数字人民币应用场景持续丰富。", [(0, 5)])  # fmt: skip


def _links(msg) -> tuple[list[str], list[str]]:
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    pattern = r"https://news\.example\.org/me\?token=([A-Za-z0-9_.%-]+)"
    return re.findall(pattern, text), re.findall(pattern, html)


def test_alert_and_digest_mails_link_to_me_for_their_subscriber():
    alerts = AlertSettings(base_url="https://news.example.org")
    email = EmailSettings(sender="alerts@newsradar.test")
    digest = Digest(delivery_id=7, day=date(2026, 5, 1), total=1, items=[ALERT])
    for message in (Message(None, [ALERT]), Message(None, [], digest)):
        batch = ChannelBatch(3, "email", "reader@example.org", True, 42, "reader", False, [ALERT], [digest])
        msg = build_email(batch, message, email, alerts, SECRET)
        in_text, in_html = _links(msg)
        assert len(in_text) == 1 and len(in_html) == 1, (in_text, in_html)
        assert me_subscriber(unquote(in_text[0]), SECRET) == (42, None)
        assert me_subscriber(unquote(in_text[0]), b"another key" * 3) == (None, "invalid")
        assert "Unsubscribe" in msg.get_body(("plain",)).get_content()  # still there, after the /me link
