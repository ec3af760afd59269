"""Secrets the in-process dispatcher reads from the environment, set per test and restored after;
the three loopback fakes for the tests that use every channel."""

import pytest

from tests.fakes.smtp import SMTPServer
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.fakes.webhook import WebhookReceiver
from tests.notifiers.helpers import SECRET


@pytest.fixture(autouse=True)
def notifier_secrets(monkeypatch):
    monkeypatch.setenv("NEWSRADAR_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    monkeypatch.delenv("NEWSRADAR_SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("NEWSRADAR_CONFIG", raising=False)


@pytest.fixture
def servers():
    """(api, smtp, hook): fake Telegram Bot API (per-chat limit 0.04 s), SMTP server, webhook."""
    api = FakeBotAPI(chat_interval=0.04).start()
    smtp = SMTPServer().start()
    hook = WebhookReceiver().start()
    yield api, smtp, hook
    api.stop()
    smtp.stop()
    hook.stop()
