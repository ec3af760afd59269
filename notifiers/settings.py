"""The [telegram], [email] and [alerts] config sections, validated so mistakes show at load time.

Secrets never live in the file: the bot token, SMTP password and signing key come from
environment variables (common.secrets), read when a command needs them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

from common import SettingsError, check_known_keys, duration_setting, is_email

__all__ = [
    "AlertSettings",
    "EmailSettings",
    "NotifierSettings",
    "TelegramSettings",
    "parse_section",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TelegramSettings:
    api_url: str = "https://api.telegram.org"
    admin_chats: tuple[str, ...] = ()
    rate: float = 30.0  # messages per second over all chats
    per_chat_interval: float = 1.0  # seconds between two messages to one chat
    timeout: float = 20.0  # seconds for one Bot API request
    max_stories_per_message: int = 10
    concurrency: int = 64  # chats served at once
    bot_username: str = ""  # the bot's @name: the web's "follow in Telegram" deep links need it

    @property
    def base_url(self) -> str:
        """What PTB's Bot(base_url=...) wants: requests go to {api_url}/bot{token}/{method}."""
        return f"{self.api_url.rstrip('/')}/bot"


@dataclass(frozen=True)
class EmailSettings:
    smtp_host: str = ""
    smtp_port: int = 0  # 0: the usual port of the security mode
    security: str = "starttls"  # starttls | ssl | none
    sender: str = ""
    username: str = ""
    timeout: float = 30.0
    concurrency: int = 4  # SMTP connections at once
    max_stories_per_message: int = 20

    @property
    def port(self) -> int:
        return self.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


@dataclass(frozen=True)
class AlertSettings:
    base_url: str = "http://127.0.0.1:8080"
    max_attempts: int = 8
    backoff_base: float = 30.0  # seconds before the first retry; doubles each attempt
    backoff_max: float = 3600.0
    lease: float = 300.0  # seconds a dispatcher owns claimed rows before others may reclaim them
    poll_interval: float = 30.0  # dispatch --loop sleeps this long when nothing is due
    apprise_concurrency: int = 8
    digest_hour: int | None = None  # deprecated: [digest] time; a Beijing hour (0-23)
    digest_empty: bool = False  # send a one-line "no matching news" digest instead of nothing
    admin_emails: tuple[str, ...] = ()  # told, with [telegram] admin_chats, when a source breaks


def _positive_int(key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SettingsError(key, f"must be a whole number >= 1, not {value!r}")
    return value


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SettingsError(key, f"must be a string, not {value!r}")
    return value


def _http_url(key: str, value: Any) -> str:
    value = _string(key, value).rstrip("/")
    if not re.match(r"^https?://[^/\s]+", value):
        raise SettingsError(key, f"{value!r} is not an http(s) URL")
    return value


def _telegram(table: dict[str, Any]) -> TelegramSettings:
    check_known_keys(table, TelegramSettings)
    values: dict[str, Any] = {}
    if "api_url" in table:
        values["api_url"] = _http_url("api_url", table["api_url"])
    if "admin_chats" in table:
        chats = table["admin_chats"]
        if not isinstance(chats, list) or not all(
            isinstance(c, str | int) and not isinstance(c, bool) for c in chats
        ):
            raise SettingsError("admin_chats", "must be a list of chat ids like [12345, -1009876]")
        values["admin_chats"] = tuple(str(c) for c in chats)
    for key in ("rate",):
        if key in table:
            rate = table[key]
            if not isinstance(rate, int | float) or isinstance(rate, bool) or rate <= 0:
                raise SettingsError(key, f"must be a positive number of messages per second, not {rate!r}")
            values[key] = float(rate)
    for key in ("per_chat_interval", "timeout"):
        if key in table:
            values[key] = duration_setting(key, table[key])
    for key in ("max_stories_per_message", "concurrency"):
        if key in table:
            values[key] = _positive_int(key, table[key])
    if "bot_username" in table:
        name = _string("bot_username", table["bot_username"]).strip().lstrip("@")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", name):
            raise SettingsError(
                "bot_username", f"must be the bot's user name like 'newsradar_bot', not {name!r}"
            )
        values["bot_username"] = name
    return TelegramSettings(**values)


def _email(table: dict[str, Any]) -> EmailSettings:
    check_known_keys(table, EmailSettings)
    values: dict[str, Any] = {}
    host = table.get("smtp_host")
    if not isinstance(host, str) or not host.strip():
        raise SettingsError("smtp_host", "required: the SMTP server's host name")
    values["smtp_host"] = host.strip()
    if "smtp_port" in table:
        port = table["smtp_port"]
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise SettingsError("smtp_port", f"must be a port number 1-65535, not {port!r}")
        values["smtp_port"] = port
    security = table.get("security", "starttls")
    if security not in ("starttls", "ssl", "none"):
        raise SettingsError("security", f"must be starttls, ssl or none, not {security!r}")
    values["security"] = security
    sender = table.get("sender")
    if not isinstance(sender, str) or not is_email(sender.strip()):
        raise SettingsError("sender", f"required: an address like alerts@example.org, not {sender!r}")
    values["sender"] = sender.strip()
    if "username" in table:
        values["username"] = _string("username", table["username"])
    if "timeout" in table:
        values["timeout"] = duration_setting("timeout", table["timeout"])
    for key in ("concurrency", "max_stories_per_message"):
        if key in table:
            values[key] = _positive_int(key, table[key])
    return EmailSettings(**values)


def _alerts(table: dict[str, Any]) -> AlertSettings:
    check_known_keys(table, AlertSettings)
    values: dict[str, Any] = {}
    if "base_url" in table:
        values["base_url"] = _http_url("base_url", table["base_url"])
        log.warning("[alerts] base_url is deprecated: move it to [web] base_url (it still works for now)")
    for key in ("max_attempts", "apprise_concurrency"):
        if key in table:
            values[key] = _positive_int(key, table[key])
    for key in ("backoff_base", "backoff_max", "lease", "poll_interval"):
        if key in table:
            values[key] = duration_setting(key, table[key])
    if values.get("lease", 1.0) <= 0:
        raise SettingsError("lease", "must be more than zero")
    if "digest_hour" in table:
        hour = table["digest_hour"]
        if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
            raise SettingsError(
                "digest_hour", f"must be an hour of the day 0-23 (Beijing time), not {hour!r}"
            )
        values["digest_hour"] = hour
    if "admin_emails" in table:
        emails = table["admin_emails"]
        if not isinstance(emails, list) or not all(isinstance(e, str) and is_email(e) for e in emails):
            raise SettingsError(
                "admin_emails", f"must be a list of addresses like ['ops@example.org'], not {emails!r}"
            )
        values["admin_emails"] = tuple(emails)
    if "digest_empty" in table:
        if not isinstance(table["digest_empty"], bool):
            raise SettingsError("digest_empty", f"must be true or false, not {table['digest_empty']!r}")
        values["digest_empty"] = table["digest_empty"]
    return AlertSettings(**values)


_PARSERS = {"telegram": _telegram, "email": _email, "alerts": _alerts}


def parse_section(name: str, table: dict[str, Any]) -> TelegramSettings | EmailSettings | AlertSettings:
    """Validate one of our sections; raises SettingsError(key, problem) on the first bad key."""
    try:
        parse = _PARSERS[name]
    except KeyError:
        raise SettingsError(name, "not a notifiers section") from None
    return parse(dict(table))


@dataclass(frozen=True)
class NotifierSettings:
    """The three sections together, with defaults for the absent ones (telegram/email: None)."""

    telegram: TelegramSettings | None = None
    email: EmailSettings | None = None
    alerts: AlertSettings = field(default_factory=AlertSettings)

    @classmethod
    def from_sections(cls, sections: dict[str, Any]) -> NotifierSettings:
        """[web] base_url (else the deprecated [alerts] base_url, else [web] host:port) is where
        unsubscribe links point: the web archive serves them."""
        alerts = sections.get("alerts") or AlertSettings()
        web = sections.get("web")
        if web is not None:
            legacy = alerts.base_url if alerts.base_url != AlertSettings.base_url else ""
            url = getattr(web, "base_url", "") or legacy or getattr(web, "public_url", alerts.base_url)
            alerts = replace(alerts, base_url=url)
        return cls(telegram=sections.get("telegram"), email=sections.get("email"), alerts=alerts)
