"""Prefilter: feed the Aho-Corasick automaton only the characters that can be part of a term."""

from __future__ import annotations

from typing import Any

from ._normalise import _np


class Prefilter:
    """Feeds the automaton only the characters that can be part of a term.

    pyahocorasick looks a character up in a node's children by linear search,
    so every character of an article costs a scan of the root's ~80 children.
    A character can be inside a term occurrence only when it forms a term
    bigram with a neighbour (or is itself a one-character term); one numpy
    pass over the normalised code points finds those "live" characters, and
    the automaton runs on them alone, each run of dead characters collapsed
    to one NUL separator (never part of a term).  Every occurrence lies in one
    live run, so the hits are exactly those of a scan of the whole text.
    """

    def __init__(self, keys: list[str]) -> None:
        chars = sorted({c for k in keys for c in k})
        self.usable = all(ord(c) < 0x10000 for c in chars) and "\x00" not in chars and len(chars) < 0xFFFF
        if not self.usable:
            return
        ids = {c: i + 1 for i, c in enumerate(chars)}
        self.width = width = len(chars) + 1
        self.char_id = _np.zeros(0x10000, dtype=_np.int32)
        for c, i in ids.items():
            self.char_id[ord(c)] = i
        self.bigram = _np.zeros(width * width, dtype=bool)
        self.single = _np.zeros(width, dtype=bool)
        self.any_single = any(len(k) == 1 for k in keys)
        for k in keys:
            if len(k) == 1:
                self.single[ids[k]] = True
            for a, b in zip(k, k[1:], strict=False):
                self.bigram[ids[a] * width + ids[b]] = True

    def hits(self, automaton: Any, codes: Any) -> list[tuple[int, str]]:
        """``automaton.iter`` results (end index, key) for the text whose code points are ``codes``."""
        if len(codes) == 0:
            return []
        # ndarray.take: ~3x faster than fancy indexing with a non-intp index
        ids = self.char_id.take(codes)
        pair = self.bigram.take(ids[:-1] * self.width + ids[1:])
        live = _np.zeros(len(codes), dtype=bool)
        live[:-1] = pair
        live[1:] |= pair
        if self.any_single:
            live |= self.single.take(ids)
        if not live.any():
            return []
        keep = live.copy()
        keep[1:] |= live[:-1]  # the first dead char after a live run becomes the separator
        where = keep.nonzero()[0]
        compact = codes.take(where) * live.take(where)
        text = compact.astype(_np.uint32).tobytes().decode("utf-32-le")
        pos = where.tolist()
        return [(pos[end], key) for end, key in automaton.iter(text)]
