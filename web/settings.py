"""The [web] config section: where the archive listens, its public URL, its page size and the
reverse proxies whose X-Forwarded-For it believes."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from common import SettingsError, check_known_keys

from .security import client_address

__all__ = [
    "ADMIN_PASSWORD_ENV",
    "WebSettings",
    "WebSettingsError",
    "parse_section",
    "public_url",
    "request_client",
    "web_settings",
]

ADMIN_PASSWORD_ENV = "NEWSRADAR_ADMIN_PASSWORD"


WebSettingsError = SettingsError  # a bad [web] key; config.py prefixes it with the file and section


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str = ""  # public URL of the archive; "" = http://{host}:{port}
    page_size: int = 20
    trusted_proxies: tuple[str, ...] = ()  # addresses/CIDRs whose X-Forwarded-For is believed

    @property
    def public_url(self) -> str:
        """The URL put into emails and feeds (no trailing slash)."""
        return self.base_url or f"http://{self.host}:{self.port}"


def parse_section(name: str, table: dict[str, Any]) -> WebSettings:
    """Validate [web]; raises WebSettingsError(key, problem) on the first bad key."""
    if name != "web":
        raise WebSettingsError(name, "not the web section")
    check_known_keys(table, WebSettings)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "host":
            if not isinstance(value, str) or not value.strip() or " " in value.strip():
                raise WebSettingsError(key, f"must be a host name or address like '127.0.0.1', not {value!r}")
            values[key] = value.strip()
        elif key == "port":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
                raise WebSettingsError(key, f"must be a port number 1-65535, not {value!r}")
            values[key] = value
        elif key == "base_url":
            if not isinstance(value, str) or not re.match(r"^https?://[^/\s]+\S*$", value):
                raise WebSettingsError(
                    key, f"must be an http(s) URL like 'https://news.example.org', not {value!r}"
                )
            values[key] = value.rstrip("/")
        elif key == "page_size":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 200:
                raise WebSettingsError(key, f"must be a whole number 1-200, not {value!r}")
            values[key] = value
        elif key == "trusted_proxies":
            values[key] = _networks(key, value)
    return WebSettings(**values)


def _networks(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WebSettingsError(
            key, f"must be a list of addresses or networks like ['127.0.0.1', '10.0.0.0/8'], not {value!r}"
        )
    out = []
    for text in value:
        try:
            out.append(str(ipaddress.ip_network(text.strip(), strict=False)))
        except ValueError:
            raise WebSettingsError(
                key, f"{text!r} is not an IP address or network (like '10.0.0.0/8')"
            ) from None
    return tuple(out)


@lru_cache(maxsize=16)
def _parsed(networks: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(n) for n in networks)


def request_client(request: Any) -> str:
    """Who sent the request, for rate limits: X-Forwarded-For counts only from [web] trusted_proxies."""
    trusted = _parsed(request.app.state.settings.trusted_proxies)
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), trusted)


def web_settings(config: Any) -> WebSettings:
    """[web] of a loaded Config (defaults when the section is absent)."""
    return (getattr(config, "sections", {}) or {}).get("web") or WebSettings()


def public_url(config: Any) -> str:
    """The archive's public URL, as alert emails use it ([web] base_url, else the deprecated
    [alerts] base_url, else http://host:port): one answer for links in mails, feeds and pages."""
    from notifiers import notifier_settings

    return notifier_settings(config).alerts.base_url.rstrip("/")
