"""The bottom layer every package may import: small, dependency-free primitives shared by the
config, the commands, the daemon, the web and the senders (durations, known-key checks, the secret
key, address validation, topic labels, times and how values are shown to people). It imports nothing of ours.
"""

from __future__ import annotations

from .display import PrintableStream, iso_time, plural, printable, show_time, show_when
from .redact import REDACTED, RedactingStream, redact
from .secrets import (
    SECRET_ENV,
    SMTP_PASSWORD_ENV,
    TELEGRAM_TOKEN_ENV,
    secret_key,
    smtp_password,
    telegram_token,
)
from .settings import SettingsError, check_known_keys, duration_setting, parse_duration
from .text import UNSAFE_CHARS, strip_unsafe
from .times import BEIJING, is_time_of_day, to_beijing, utcnow
from .values import BLOCKED_REASON, DEFAULT_TIER, TIERS, is_email, topic_labels

__all__ = [
    "BEIJING",
    "BLOCKED_REASON",
    "DEFAULT_TIER",
    "PrintableStream",
    "REDACTED",
    "RedactingStream",
    "SECRET_ENV",
    "SMTP_PASSWORD_ENV",
    "TELEGRAM_TOKEN_ENV",
    "UNSAFE_CHARS",
    "SettingsError",
    "TIERS",
    "check_known_keys",
    "duration_setting",
    "is_email",
    "is_time_of_day",
    "iso_time",
    "parse_duration",
    "plural",
    "printable",
    "redact",
    "secret_key",
    "show_time",
    "show_when",
    "smtp_password",
    "strip_unsafe",
    "telegram_token",
    "to_beijing",
    "topic_labels",
    "utcnow",
]
