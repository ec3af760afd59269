"""Text normalisation shared by topic terms and article text.

Terms and articles must go through exactly the same function, otherwise a
topic written in simplified Chinese would miss a traditional-script repost
or a full-width "ＣＢＤＣ".  Matching happens on the normalised string; the
offset map lets evidence be cut from the *original* text.
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

# Vectorised fast path (numpy is a declared dependency); without it the pure path runs. Loaded on
# the first long text, not at import: reading topics (every `newsradar` command) needs no numpy.
_np: Any = ...  # ...: not loaded yet; None: not available (tests force that too)


def _numpy() -> Any:
    global _np
    if _np is ...:
        try:
            import numpy
        except ImportError:  # pragma: no cover
            numpy = None
        _np = numpy
    return _np


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Whitespace (and zero-width junk) between two CJK characters is layout, not
# meaning: "数字 人民币" and "数字\n人民币" are the same words.
_WS = " \t\n\r\x0b\x0c\x85\u2028\u2029"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Full-width punctuation that is everywhere in Chinese prose.  Folding it to
# ASCII buys nothing for matching (terms never contain it and both sides stay
# non-CJK for boundary tests) and would cost a replacement every few chars.
_KEEP = set("，：；！？（）…")


def is_cjk(ch: str) -> bool:
    """True for a Han character (incl. extension A and compatibility ideographs)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or o >= 0x20000


def _read_opencc(name: str) -> dict[str, str]:
    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", name)
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[0] or not parts[1]:
                continue
            src, dst = parts[0], parts[1].split(" ")[0]
            if len(src) == 1 and len(dst) == 1 and src != dst:
                table[src] = dst
    return table


@lru_cache(maxsize=1)
def _t2s() -> dict[int, str]:
    """Character-level traditional->simplified table built from OpenCC's data.

    OpenCC's pure-Python converter runs far below our speed budget, so we use
    its character dictionary (plus TW/HK variant folding) as a 1:1 map.
    Phrase-level conversions (a few hundred ambiguous idioms) are skipped:
    they do not touch finance vocabulary, and a 1:1 map keeps offsets aligned.
    """
    ts = _read_opencc("TSCharacters.txt")
    variants = {**_read_opencc("HKVariantsRev.txt"), **_read_opencc("TWVariantsRev.txt")}
    table: dict[int, str] = {}
    for src, dst in variants.items():
        table[ord(src)] = ts.get(dst, dst)
    for src, dst in ts.items():
        table[ord(src)] = dst
    return {k: v for k, v in table.items() if chr(k) != v}


def _class(chars: list[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str]]:
    change, pattern, multi_re, _ = _all_tables()
    return change, pattern, multi_re


@lru_cache(maxsize=1)
def _all_tables() -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str], list[str]]:
    """_build_tables(), from the on-disk cache when it was built before by the same versions."""
    from ._cache import cache_key, cached

    key = cache_key(unicodedata.unidata_version, libraries=["opencc-python-reimplemented"])
    change, multi = cached("normalise", key, _build_tables)
    multi_re = re.compile("[" + "".join(re.escape(c) for c in multi) + "\U00010000-\U0010ffff]")
    return change, _class(sorted(change)), multi_re, multi


def _build_tables() -> tuple[dict[str, str], list[str]]:
    """One combined BMP map: NFKC, then lower case, then traditional->simplified.

    Calling ``unicodedata.normalize`` on a whole article costs ~200 ns/char
    for CJK text, and ``str.translate`` with a dict is not much better; a
    regex character class finds the few characters that change (upper case,
    full-width letters, traditional characters) at C speed, and only those
    get replaced.  Returns (1:1 map, chars whose replacement is not exactly one
    char: "…" -> "..."); _all_tables adds the patterns (their keys; those chars
    and astral ones).
    """
    change: dict[str, str] = {}
    multi: list[str] = []
    for o in range(0x10000):
        if 0xD800 <= o <= 0xDFFF:
            continue
        c = chr(o)
        n = _slow_char(c)
        if n == c:
            continue
        if len(n) == 1:
            change[c] = n
        else:
            multi.append(c)
    return change, multi


def _slow_char(ch: str) -> str:
    if ch in _ZERO_WIDTH:
        return ""
    if ch in _KEEP:
        return ch
    return unicodedata.normalize("NFKC", ch).lower().translate(_t2s())


def _cjk_gaps(text: str) -> list[tuple[int, int]]:
    """Ranges of whitespace runs sitting between two CJK characters.

    ``str.find`` per whitespace char beats a regex scan ~5x on Chinese text,
    which matters at thousands of articles per second.
    """
    positions: list[int] = []
    for w in _WS:
        i = text.find(w)
        while i != -1:
            positions.append(i)
            i = text.find(w, i + 1)
    if not positions:
        return []
    positions.sort()
    return _gaps_at(text, positions)


def _gaps_at(text: str, positions: list[int]) -> list[tuple[int, int]]:
    """Whitespace runs (from sorted whitespace ``positions``) between two CJK characters."""
    drop: list[tuple[int, int]] = []
    n = len(text)
    k = 0
    while k < len(positions):
        start = positions[k]
        while k + 1 < len(positions) and positions[k + 1] == positions[k] + 1:
            k += 1
        end = positions[k] + 1
        k += 1
        if start > 0 and end < n and is_cjk(text[start - 1]) and is_cjk(text[end]):
            drop.append((start, end))
    return drop


def normalise_map(text: str) -> tuple[str, list[int] | None]:
    """Normalise ``text`` and map each output char back to its source index.

    Returns ``(normalised, index_map)``; ``index_map`` is None when offsets are
    unchanged (the common case, kept allocation-free for speed).
    Steps: NFKC (full-width -> half-width, compatibility forms), lower case,
    traditional -> simplified, drop whitespace/zero-width chars between CJK.
    """
    change, pattern, multi = _tables()
    out = pattern.sub(lambda m: change[m.group()], text) if pattern.search(text) else text
    index: list[int] | None = None
    if multi.search(out):
        # rare: "…", "℃", astral chars; positions in `out` still equal those in `text`
        pieces: list[str] = []
        index = []
        prev = 0
        for m in multi.finditer(out):
            p = m.start()
            pieces.append(out[prev:p])
            index.extend(range(prev, p))
            rep = _slow_char(out[p])
            pieces.append(rep)
            index.extend([p] * len(rep))
            prev = p + 1
        pieces.append(out[prev:])
        index.extend(range(prev, len(out)))
        out = "".join(pieces)
    drop = _cjk_gaps(out)
    if drop:
        pieces = []
        new_index: list[int] = []
        prev = 0
        for start, end in drop + [(len(out), len(out))]:
            pieces.append(out[prev:start])
            new_index.extend(index[prev:start] if index is not None else range(prev, start))
            prev = end
        out = "".join(pieces)
        index = new_index
    return out, index


def normalise(text: str) -> str:
    """Normalised form of ``text`` (see :func:`normalise_map`); also trims ends."""
    return normalise_map(text)[0].strip()


# -- fast path ----------------------------------------------------------------
#
# The engine normalises every article; the pure path above costs ~200 us per
# 3,000-char article when it carries a few traditional sentences (one regex
# callback per changed char) and builds a 3,000-int offset list whenever a
# "℃" or a newline between Han characters shifts offsets.  The fast path does
# the same 1:1 BMP map with one numpy table lookup, splices the rare multi-char
# replacements in Python, and keeps offsets as a few segments mapped on demand
# (only evidence needs them).  Results are identical to normalise_map (tested).


_NP_MIN_CHARS = 128


class OffsetMap:
    """Normalised position -> source position, from piecewise-shifted segments.

    Each stage is ``(norm_starts, src_starts)``: position ``p`` of the stage's
    output maps to ``src_starts[k] + p - norm_starts[k]`` for the last segment
    ``k`` starting at or before ``p``.  Stages compose last to first.
    """

    __slots__ = ("stages",)

    def __init__(self, stages: list[tuple[list[int], list[int]]]) -> None:
        self.stages = stages

    def __call__(self, p: int) -> int:
        for norm_starts, src_starts in reversed(self.stages):
            k = bisect.bisect_right(norm_starts, p) - 1
            p = src_starts[k] + p - norm_starts[k]
        return p

    def to_list(self, n: int) -> list[int]:
        return [self(p) for p in range(n)]


@lru_cache(maxsize=1)
def _np_tables() -> tuple[Any, Any, Any, Any]:
    """BMP lookup tables: map (uint32), multi-char flag, whitespace flag, :func:`is_cjk` flag."""
    change, _, _, multi = _all_tables()
    table = _np.arange(0x10000, dtype=_np.uint32)
    for c, n in change.items():
        table[ord(c)] = ord(n)
    special = _np.zeros(0x10000, dtype=bool)
    for c in multi:
        special[ord(c)] = True
    ws = _np.zeros(0x10000, dtype=bool)
    for c in _WS:
        ws[ord(c)] = True
    cjk = _np.array([is_cjk(chr(o)) for o in range(0x10000)], dtype=bool)
    return table, special, ws, cjk


@lru_cache(maxsize=16)
def normalise_fast(text: str) -> tuple[str, OffsetMap | None, Any]:
    """Same string as ``normalise_map(text)[0]``, a lazy :class:`OffsetMap` (None
    when offsets are unchanged) and, on the numpy path, the normalised code
    points as a read-only uint32 array (None otherwise).

    Cached: one ingest normalises an article's title and body in the classifier
    and again in the search index, so the second time is free. Callers share the
    result and must not change it (the array is read-only to make sure)."""
    out, offsets, points = _normalise_fast(text)
    if points is not None:
        points.setflags(write=False)
    return out, offsets, points


def _normalise_fast(text: str) -> tuple[str, OffsetMap | None, Any]:
    if (
        not text or len(text) < _NP_MIN_CHARS or _numpy() is None
    ):  # titles: numpy's per-call overhead would dominate
        out, index = normalise_map(text)
        return out, (OffsetMap([(list(range(len(index))), index)]) if index is not None else None), None
    arr = _np.frombuffer(text.encode("utf-32-le"), dtype=_np.uint32)
    if int(arr.max()) >= 0x10000:  # astral characters: rare, take the pure path
        out, index = normalise_map(text)
        return out, (OffsetMap([(list(range(len(index))), index)]) if index is not None else None), None
    table, special, ws, cjk_lut = _np_tables()
    mapped = table.take(arr)  # take: ~3x faster than fancy indexing with a uint32 index
    if int(mapped.max()) >= 0x10000:  # pragma: no cover - no BMP char maps to an astral one today
        out, index = normalise_map(text)
        return out, (OffsetMap([(list(range(len(index))), index)]) if index is not None else None), None
    out = mapped.tobytes().decode("utf-32-le")
    stages: list[tuple[list[int], list[int]]] = []
    sp_mask = special.take(mapped)
    if sp_mask.any():
        sp = sp_mask.nonzero()[0]
        pieces: list[str] = []
        norm_starts, src_starts = [0], [0]
        prev = q = 0
        for p in sp.tolist():
            pieces.append(out[prev:p])
            q += p - prev
            rep = _slow_char(out[p])
            pieces.append(rep)
            for j in range(len(rep)):
                norm_starts.append(q + j)
                src_starts.append(p)
            q += len(rep)
            norm_starts.append(q)
            src_starts.append(p + 1)
            prev = p + 1
        pieces.append(out[prev:])
        out = "".join(pieces)
        stages.append((norm_starts, src_starts))
        mapped = _np.frombuffer(out.encode("utf-32-le"), dtype=_np.uint32)
        if len(mapped) and int(mapped.max()) >= 0x10000:  # pragma: no cover - defensive
            o2, index = normalise_map(text)
            return o2, (OffsetMap([(list(range(len(index))), index)]) if index is not None else None), None
    if len(mapped):
        ws_mask = ws.take(mapped)
        if ws_mask.any():
            # whitespace runs [start, end) with a CJK char on both sides
            n = len(mapped)
            run_start = ws_mask.copy()
            run_start[1:] &= ~ws_mask[:-1]
            run_end = ws_mask.copy()
            run_end[:-1] &= ~ws_mask[1:]
            starts = run_start.nonzero()[0]
            ends = run_end.nonzero()[0] + 1
            cjk = cjk_lut.take(mapped)
            ok = (starts > 0) & (ends < n)
            ok[ok] = cjk.take(starts[ok] - 1) & cjk.take(ends[ok])
            drop = list(zip(starts[ok].tolist(), ends[ok].tolist(), strict=True))
            if drop:
                pieces = []
                norm_starts, src_starts = [0], [0]
                prev = removed = 0
                for start, end in drop:
                    pieces.append(out[prev:start])
                    removed += end - start
                    norm_starts.append(end - removed)
                    src_starts.append(end)
                    prev = end
                pieces.append(out[prev:])
                out = "".join(pieces)
                stages.append((norm_starts, src_starts))
                keep = _np.ones(len(mapped), dtype=bool)
                for start, end in drop:
                    keep[start:end] = False
                mapped = mapped[keep]
    return out, (OffsetMap(stages) if stages else None), mapped
