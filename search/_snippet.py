"""Highlighted titles and snippets: the crawled text HTML-escaped, the hits wrapped in <mark>.

Hits are found in the normalised text (so a simplified query marks a traditional sentence) and
cut from the original through the normaliser's offset map.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

from classifier import normalise_fast

from ._tokens import _HAN

__all__ = ["evidence", "highlight", "snippet"]

SNIPPET_CHARS = 160
_LEAD = 30  # characters of context before the first hit
_MAX_HITS = 400
_WINDOWS = 60  # candidate windows tried, one per hit from the first


@lru_cache(maxsize=256)
def _pattern(units: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for all units; words only match whole (not "cbd" inside "cbdc")."""
    alts = []
    for u in units:
        if re.fullmatch(f"[{_HAN}]+", u):
            alts.append(re.escape(u))
        else:
            alts.append(rf"(?<![^\W_{_HAN}]){re.escape(u)}(?![^\W_{_HAN}])")
    return re.compile("|".join(alts), re.IGNORECASE) if alts else None


def _hits(text: str, units: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, unit) of every hit, in original offsets, sorted and not overlapping.

    The text as stored is tried first (most is simplified already, and normalising a long body
    costs more than the search); only when nothing is found there is it normalised, for
    traditional script, full-width letters or a line break inside a word."""
    pattern = _pattern(tuple(units))
    if pattern is None or not text:
        return []
    out = _collect(pattern.finditer(text), None)
    if out:
        return out
    norm, index, _ = normalise_fast(text)
    return _collect(pattern.finditer(norm), index)


def _collect(matches, index) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for m in matches:
        s, e = m.span()
        if index is not None:
            s, e = index(s), index(e - 1) + 1
        if out and s < out[-1][1]:
            continue
        out.append((s, e, m.group().lower()))
        if len(out) >= _MAX_HITS:
            break
    return out


def _render(text: str, hits: Sequence[tuple[int, int, str]], start: int, end: int) -> str:
    parts: list[str] = []
    pos = start
    for s, e, _ in hits:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        parts.append(html.escape(text[pos:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    parts.append(html.escape(text[pos:end]))
    return "".join(parts)


def highlight(text: str, units: Sequence[str]) -> str:
    """All of ``text`` escaped, every hit marked (for titles)."""
    return _render(text, _hits(text, units), 0, len(text))


def _flat(text: str) -> str:
    """Line breaks and runs of spaces read as one space in a one-line snippet (same length)."""
    return re.sub(r"\s", " ", text)


def _best_start(hits: Sequence[tuple[int, int, str]], units: Sequence[str], size: int) -> int:
    """Start of the window with the most different hits (the earliest of equals)."""
    best, best_count = 0, -1
    for i, (s, _, _) in enumerate(hits[:_WINDOWS]):
        start = max(0, s - _LEAD)
        seen = set()
        for hs, _, u in hits[i:]:
            if hs >= start + size:
                break
            seen.add(u)
        if len(seen) > best_count:
            best, best_count = start, len(seen)
            if best_count == len(units):
                break
    return best


def snippet(text: str, units: Sequence[str], size: int = SNIPPET_CHARS) -> str:
    """The window of ``text`` with the most different hits (the earliest of equals), escaped and marked."""
    text = _flat(text)
    hits = _hits(text, units)
    if not hits:
        end = min(len(text), size)
        return html.escape(text[:end].strip()) + ("…" if end < len(text) else "")
    start = _best_start(hits, units, size)
    end = min(len(text), start + size)
    body = _render(text, hits, start, end)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def evidence(text: str, units: Sequence[str], size: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The snippet's window as plain text with the hits' (start, end) in it, for an alert's
    evidence line (the notifier escapes and marks it); ("", []) when no unit occurs."""
    text = _flat(text)
    hits = _hits(text, units)
    if not hits:
        return "", []
    start = _best_start(hits, units, size)
    end = min(len(text), start + size)
    spans = [(max(s, start) - start, min(e, end) - start) for s, e, _ in hits if s < end and e > start]
    return text[start:end], spans
