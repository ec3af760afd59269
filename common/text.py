"""Characters no output of ours may carry: what XML 1.0 forbids (C0 controls but tab, newline and
carriage return, lone surrogates, U+FFFE/U+FFFF), the other non-characters, C0/C1 controls and
the bidirectional embeddings, overrides and isolates (a U+202E in a title reverses the text
beside it). Removed at extraction and again at every output (feeds, pages, API, mail, Telegram)."""

from __future__ import annotations

import re

__all__ = ["UNSAFE_CHARS", "strip_unsafe"]

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 but tab, LF, CR; DEL; C1
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
    "\ud800-\udfff"  # lone surrogates (a str can hold them; UTF-8 and XML cannot)
    f"{_NONCHARACTERS}]"
)


def strip_unsafe(text: str) -> str:
    """The text without the characters above (tab, newline and carriage return stay)."""
    return UNSAFE_CHARS.sub("", text) if text else text
