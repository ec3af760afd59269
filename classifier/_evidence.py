"""Evidence: where a match sits in the article as written, and the sentence that shows it.

Matching runs on normalised text; a ``Field`` keeps the map back to the raw
text so the quoted sentence and its highlighted spans are the publisher's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ._normalise import normalise_fast

EVIDENCE_MAX = 200
_SENTENCE_END = re.compile(r"[。！？!?；;\n\r]")
_Item = tuple[int, int, str]  # raw start, raw end, canonical term


@dataclass(frozen=True)
class Match:
    """One topic matched in one article, with the evidence for a human to check."""

    topic_id: str
    score: float
    terms: dict[str, int]
    evidence: str
    spans: tuple[tuple[int, int], ...]
    topic_hash: str = ""  # topics_hash of the definition that matched: stored, to find stale matches

    def marked(self, open: str = "**", close: str = "**") -> str:  # noqa: A002 - public API name
        """Evidence with each matched span wrapped in ``open``/``close``."""
        out: list[str] = []
        pos = 0
        for s, e in sorted(self.spans):
            if s < pos:
                continue
            out.append(self.evidence[pos:s])
            out.append(open + self.evidence[s:e] + close)
            pos = e
        out.append(self.evidence[pos:])
        return "".join(out)


@dataclass
class Hit:
    start: int
    end: int
    term: str  # canonical keyword (KW) / normalised key (REQ)


class Field:
    """One normalised field (title or body) with lazily confirmed hits."""

    __slots__ = ("raw", "norm", "offsets", "codes", "confirmed", "_reversed")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        # offsets: lazy normalised -> raw position map (None: unchanged);
        # codes: normalised code points as a numpy array on the fast path
        self.norm, self.offsets, self.codes = normalise_fast(raw)
        self.confirmed: dict[tuple[int, int], bool] = {}
        self._reversed: str | None = None

    def orig(self, start: int, end: int) -> tuple[int, int]:
        if self.offsets is None:
            return start, end
        return self.offsets(start), self.offsets(end - 1) + 1

    def sentence_start(self, pos: int) -> int:
        """Start of the sentence holding raw position ``pos``: just after the last terminator before it.

        Searched backwards (a forward search on the reversed text) from the
        hit, so only the sentences with hits are ever looked at.
        """
        if self._reversed is None:
            self._reversed = self.raw[::-1]
        n = len(self.raw)
        m = _SENTENCE_END.search(self._reversed, n - pos)
        return n - m.start() if m else 0

    def sentence_end(self, pos: int) -> int:
        """End of the sentence holding raw position ``pos`` (just after its terminator, or the text end)."""
        m = _SENTENCE_END.search(self.raw, pos)
        return m.end() if m else len(self.raw)


def make_match(
    topic_id: str,
    score: float,
    weights: Mapping[str, float],
    kept: list[list[Hit]],
    fields: list[Field],
    topic_hash: str = "",
) -> Match:
    """The match of one topic: its term counts and the body's best sentence (the title's without one)."""
    counts: dict[str, int] = {}
    for hits in kept:
        for h in hits:
            counts[h.term] = counts.get(h.term, 0) + 1
    fi = 1 if kept[1] else 0
    evidence, spans = quote(weights, fields[fi], kept[fi])
    return Match(
        topic_id=topic_id,
        score=round(min(1.0, max(0.0, score)), 4),
        terms=counts,
        evidence=evidence,
        spans=spans,
        topic_hash=topic_hash,
    )


def quote(weights: Mapping[str, float], f: Field, hits: list[Hit]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Best sentence (most weight, then most hits), cut to <= 200 chars around the hits."""
    # sentences are keyed by their start offset, which orders them like their index
    by_sentence: dict[int, list[_Item]] = {}
    for h in hits:
        os_, oe = f.orig(h.start, h.end)
        by_sentence.setdefault(f.sentence_start(os_), []).append((os_, oe, h.term))

    def value(items: list[_Item]) -> float:
        return sum(weights[t] for t in {t for _, _, t in items}) + 0.01 * len(items)

    si = max(by_sentence, key=lambda k: (value(by_sentence[k]), -k))
    items = sorted(by_sentence[si])
    # sentence ends may straddle a hit when the terminator is inside it; widen
    a = min(si, items[0][0])
    b = max(f.sentence_end(items[0][0]), items[-1][1])
    raw = f.raw
    while a < b and raw[a].isspace():
        a += 1
    while b > a and raw[b - 1].isspace():
        b -= 1
    if b - a > EVIDENCE_MAX:
        a, b = _best_window(items, a, b, value)
    text = raw[a:b].replace("\r", " ").replace("\n", " ").replace("\t", " ")
    spans = tuple((s - a, e - a) for s, e, _ in items if s >= a and e <= b)
    return text, spans


def _best_window(
    items: list[_Item], a: int, b: int, value: Callable[[list[_Item]], float]
) -> tuple[int, int]:
    """The EVIDENCE_MAX-long cut of sentence [a, b) starting near a hit that holds the most weight."""
    best: tuple[float, int] | None = None
    for os_, _, _ in items:
        st = max(a, os_ - 20)
        en = min(b, st + EVIDENCE_MAX)
        st = max(a, en - EVIDENCE_MAX)
        inside = [it for it in items if it[0] >= st and it[1] <= en]
        v = value(inside) if inside else -1.0
        if best is None or v > best[0]:
            best = (v, st)
    assert best is not None
    return best[1], min(b, best[1] + EVIDENCE_MAX)
