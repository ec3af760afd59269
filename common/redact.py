"""The one redaction every printer, page and log line goes through: secrets from the environment,
Telegram bot tokens and the passwords or tokens inside URLs (Apprise URLs carry them:
`json://user:PASS@host`, `...?password=...`) never reach a terminal, a page or a log."""

from __future__ import annotations

import os
import re
from typing import Any, TextIO

__all__ = ["REDACTED", "RedactingStream", "redact"]

REDACTED = "<redacted>"
# Environment variables holding secrets (NEWSRADAR_TELEGRAM_TOKEN, NEWSRADAR_SMTP_PASSWORD, ...).
_SECRET_NAME = re.compile(r"^NEWSRADAR_\w*(TOKEN|PASSWORD|SECRET|KEY)\w*$")
# A Telegram bot token anywhere (PTB and httpx log request URLs with it).
_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")
# The password of a URL's user info: scheme://user:PASSWORD@host.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@", re.I)
# A secret in the query of a channel URL (Apprise: ntfy://host/topic?token=...). http(s) URLs keep
# theirs: the archive's own signed links (?token=...) are meant to be shown to their owner.
_CHANNEL_URL = re.compile(r"\b(?!https?://)[a-z][a-z0-9+.-]*://[^\s?#\"'<>]*\?[^\s#\"'<>]+", re.I)
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&](?:pass|password|passwd|pwd|token|secret|key|apikey|api_key)=)[^&#\s]+", re.I
)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """The text with every configured secret, bot token and URL password replaced; `secrets`: more
    values to hide (six characters or longer, so a short one does not blank common words)."""
    if not text:
        return text
    values = [v for k, v in os.environ.items() if _SECRET_NAME.match(k)] + list(secrets)
    for value in sorted(values, key=len, reverse=True):
        if len(value) >= 6 and value in text:
            text = text.replace(value, REDACTED)
    text = _BOT_TOKEN.sub(REDACTED, text)
    text = _CHANNEL_URL.sub(lambda u: _QUERY_SECRET.sub(lambda m: m["head"] + REDACTED, u[0]), text)
    return _URL_PASSWORD.sub(lambda m: m["head"] + REDACTED + "@", text)


class RedactingStream:
    """A text stream that redacts what is written (the CLI's stdout and stderr)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding ... of the wrapped stream
        return getattr(self.stream, name)
