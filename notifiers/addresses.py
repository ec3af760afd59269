"""Channel addresses: what a Telegram chat id, an email address or an Apprise URL must look like.

Checked before a channel is stored, so a typo is refused with a clear message instead of
turning into alerts that can never be sent. Used by `newsradar subscribers add`, and by the
web archive's sign-up.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from common import is_email

__all__ = ["AddressError", "channels_from"]

_CHAT = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$")


class AddressError(ValueError):
    """An address that no channel of its kind could deliver to; the message says what is wrong."""


def channels_from(
    *,
    telegram: Iterable[str] = (),
    email: Iterable[str] = (),
    apprise: Iterable[str] = (),
    console: bool = False,
) -> list[tuple[str, str]]:
    """(kind, address) pairs for a new subscriber, each address checked (AddressError names the
    first bad one). With no address at all, or console, a console channel is added: `dispatch`
    prints its alerts."""
    channels: list[tuple[str, str]] = []
    for chat in telegram:
        if not _CHAT.match(chat.strip()):
            raise AddressError(
                f"{chat!r} is not a Telegram chat id (a number like 123456 or -100123, or @name)"
            )
        channels.append(("telegram", chat.strip()))
    for addr in email:
        if not is_email(addr.strip()):
            raise AddressError(f"{addr!r} is not an email address like name@example.org")
        channels.append(("email", addr.strip()))
    apprise = list(apprise)
    if apprise:
        from .apprise import apprise_url_ok  # Apprise loads its plugins on import: only when needed

        for url in apprise:
            if not apprise_url_ok(url.strip()):
                raise AddressError(f"{url!r} is not an Apprise URL this version understands")
            channels.append(("apprise", url.strip()))
    if console or not channels:
        channels.append(("console", f"stdout#{secrets.token_hex(4)}"))
    return channels
