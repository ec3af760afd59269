"""Secrets the in-process dispatcher reads from the environment, set per test and restored after."""

import pytest

from tests.fakes.telegram_api import TOKEN
from tests.notifiers.helpers import SECRET


@pytest.fixture(autouse=True)
def notifier_secrets(monkeypatch):
    monkeypatch.setenv("NEWSRADAR_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("NEWSRADAR_SECRET_KEY", SECRET)
    monkeypatch.delenv("NEWSRADAR_SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("NEWSRADAR_CONFIG", raising=False)
