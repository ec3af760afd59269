"""Matching engine: Aho-Corasick candidates, jieba boundary confirmation, scoring.

Segmenting whole articles with jieba runs at ~400 KB/s, far too slow for
thousands of articles per second.  Instead one automaton over every
normalised term finds candidate hits, and jieba (taught all terms) runs only
on a ~20-character window around a hit whose edge touches another Han
character, to reject hits that straddle a word boundary.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
import threading
from dataclasses import dataclass
from typing import Any

import ahocorasick

from ._normalize import is_cjk, normalise, normalise_map
from ._topics import Topic, topics_hash

_KW, _EXCL, _REQ = 0, 1, 2
_CONTEXT = 4  # chars of context each side of a hit given to jieba
_MAX_CROSS = 5  # longest dictionary word looked for across a hit edge
EVIDENCE_MAX = 200
SINGLE_MENTION_FACTOR = 0.75
# Terms weighted below CONTEXT_WEIGHT are context (通州, 大运河, 人工智能):
# together they add at most CONTEXT_CAP, so a local story repeating 通州 ten
# times cannot reach the threshold without a real topic term.
CONTEXT_WEIGHT = 1.0
CONTEXT_CAP = 1.5
_SENTENCE_END = re.compile(r"[。！？!?；;\n\r]")
# Common words missing from jieba's dictionary whose absence would let a
# topic term win a segmentation it should lose (低碳|交易所 vs 低|碳交易|所).
_EXTRA_WORDS = {"低碳": 5000, "零碳": 2000, "负碳": 1000}

_base_lock = threading.Lock()
_base_tokenizer: Any = None


def _new_tokenizer() -> Any:
    """A private jieba Tokenizer sharing the (once-loaded) default dictionary.

    Private so teaching it our terms does not change segmentation for other
    packages that use the global ``jieba`` instance.
    """
    global _base_tokenizer
    import jieba

    with _base_lock:
        if _base_tokenizer is None:
            base = jieba.Tokenizer()
            level = jieba.default_logger.level
            jieba.default_logger.setLevel(logging.WARNING)
            try:
                base.initialize()
            finally:
                jieba.default_logger.setLevel(level)
            _base_tokenizer = base
        base = _base_tokenizer
        tok = jieba.Tokenizer()
        tok.FREQ = dict(base.FREQ)
        tok.total = base.total
        tok.initialized = True
    return tok


def _word_crosses(text: str, pos: int, s: int, e: int, freq: dict[str, int]) -> bool:
    """Could a dictionary word straddle edge ``pos`` of the hit ``text[s:e]``?

    With HMM off, jieba only emits dictionary words (freq > 0) or single
    characters, so when no word of up to _MAX_CROSS chars crosses the edge
    without covering the whole hit, no segmentation can split the hit there
    and jieba need not run.
    """
    n = len(text)
    for a in range(max(0, pos - _MAX_CROSS + 1), pos):
        for b in range(pos + 1, min(n, a + _MAX_CROSS) + 1):
            if a <= s and b >= e:
                continue  # covers the hit (副中心 inside 城市副中心): fine
            if freq.get(text[a:b]):
                return True
    return False


@dataclass(frozen=True)
class TopicMatch:
    """One topic matched in one article, with the evidence for a human to check."""

    topic_id: str
    score: float
    terms: dict[str, int]
    evidence: str
    spans: tuple[tuple[int, int], ...]

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
class _Compiled:
    topic: Topic
    weights: dict[str, float]  # canonical keyword -> weight
    forms: dict[str, frozenset[str]]  # canonical -> its normalised spellings
    term_rules: dict[str, list[int]]  # canonical -> indexes into topic.cooccurrence


@dataclass
class _Hit:
    start: int
    end: int
    term: str  # canonical keyword (KW) / normalised key (REQ)


class _Field:
    """One normalised field (title or body) with lazily confirmed hits."""

    __slots__ = ("raw", "norm", "index", "hits", "confirmed", "_sentences")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.norm, self.index = normalise_map(raw)
        self.hits: list[tuple[int, int, str]] = []
        self.confirmed: dict[tuple[int, int], bool] = {}
        self._sentences: list[int] | None = None

    def orig(self, start: int, end: int) -> tuple[int, int]:
        if self.index is None:
            return start, end
        return self.index[start], self.index[end - 1] + 1

    def sentence_starts(self) -> list[int]:
        if self._sentences is None:
            self._sentences = [0] + [m.end() for m in _SENTENCE_END.finditer(self.raw)]
        return self._sentences


class Classifier:
    """Scores articles against topics; build once per process and reuse."""

    def __init__(self, topics: list[Topic]) -> None:
        ids = [t.id for t in topics]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate topic ids: {ids}")
        self._topics = list(topics)
        self._hashes = {t.id: topics_hash(t) for t in topics}
        self._compiled: list[_Compiled] = []
        entries: dict[str, list[tuple[int, int, Any]]] = {}
        teach: set[str] = set()

        def add(key: str, ti: int, role: int, payload: Any) -> None:
            if key:
                entries.setdefault(key, []).append((ti, role, payload))

        for ti, topic in enumerate(topics):
            forms: dict[str, set[str]] = {}
            for kw in topic.keywords:
                forms.setdefault(kw, set()).add(normalise(kw))
                for alias in topic.aliases.get(kw, ()):
                    forms[kw].add(normalise(alias))
            for kw, spellings in forms.items():
                for key in spellings:
                    add(key, ti, _KW, kw)
                    teach.add(key)
            for ex in topic.exclusions:
                add(normalise(ex), ti, _EXCL, None)
            term_rules: dict[str, list[int]] = {}
            for ri, rule in enumerate(topic.cooccurrence):
                for t in rule.terms:
                    term_rules.setdefault(t, []).append(ri)
                for req in rule.requires:
                    add(normalise(req), ti, _REQ, ri)
                    teach.add(normalise(req))
            self._compiled.append(
                _Compiled(
                    topic=topic,
                    weights=dict(topic.keywords),
                    forms={k: frozenset(v) for k, v in forms.items()},
                    term_rules=term_rules,
                )
            )
        # de-duplicate identical (topic, role, payload) triples from aliases
        self._entries = {k: list(dict.fromkeys(v)) for k, v in entries.items()}
        # keyword/exclusion entries are routed per hit; requirement entries only
        # for topics that already have a keyword hit (北京, 金融 … are everywhere)
        self._direct = {k: [x for x in v if x[1] != _REQ] for k, v in self._entries.items()}
        self._reqs = {k: [(ti, ri) for ti, role, ri in v if role == _REQ] for k, v in self._entries.items()}
        self._automaton = ahocorasick.Automaton()
        for key in self._entries:
            self._automaton.add_word(key, key)
        if self._entries:
            self._automaton.make_automaton()
        self._tok = _new_tokenizer()
        for word, freq in _EXTRA_WORDS.items():
            self._tok.add_word(word, freq)
        for word in sorted(teach):
            if any(is_cjk(c) for c in word):
                self._tok.add_word(word)
        self._seg_cache: dict[str, list[int]] = {}
        self._confirm_cache: dict[tuple[str, int, int], bool] = {}

    @property
    def topics(self) -> list[Topic]:
        """The topics this classifier was built with, in order."""
        return list(self._topics)

    def hashes(self) -> dict[str, str]:
        """topic id -> topics_hash, to store next to each match."""
        return dict(self._hashes)

    # -- boundaries -------------------------------------------------------

    def _boundaries(self, window: str) -> list[int]:
        """Token boundaries of jieba's dictionary segmentation (HMM off) of ``window``.

        Calls jieba's DAG and route directly: the same segmentation as
        ``cut(window, HMM=False)`` for Han text, without the generator and
        regex block-splitting overhead that dominates on 15-char windows.
        """
        cached = self._seg_cache.get(window)
        if cached is None:
            dag = self._tok.get_DAG(window)
            route: dict[int, tuple[float, int]] = {}
            self._tok.calc(window, dag, route)
            cached = [0]
            x, n = 0, len(window)
            while x < n:
                x = route[x][1] + 1
                cached.append(x)
            if len(self._seg_cache) > 50_000:
                self._seg_cache.clear()
            self._seg_cache[window] = cached
        return cached

    def _confirm(self, text: str, s: int, e: int) -> bool:
        """Is text[s:e] a whole word (or sequence of words), not a fragment?

        Latin terms need non-alphanumeric neighbours.  A Han edge next to
        another Han character is checked with jieba: the hit is rejected when
        a token crosses one of its edges (低|碳交易 inside 低碳交易所); a
        token wholly containing it is fine (副中心 inside 城市副中心).
        """
        n = len(text)
        left = right = False
        if s > 0:
            a, b = text[s - 1], text[s]
            if a.isascii() and b.isascii():
                if a.isalnum() and b.isalnum():
                    return False
            else:
                left = is_cjk(a) and is_cjk(b)
        if e < n:
            a, b = text[e - 1], text[e]
            if a.isascii() and b.isascii():
                if a.isalnum() and b.isalnum():
                    return False
            else:
                right = is_cjk(a) and is_cjk(b)
        if not (left or right):
            return True
        ws = max(0, s - _CONTEXT)
        window = text[ws : e + _CONTEXT]
        rs, re_ = s - ws, e - ws
        ck = (window, rs, re_)
        ok = self._confirm_cache.get(ck)
        if ok is None:
            freq = self._tok.FREQ
            if (left and _word_crosses(window, rs, rs, re_, freq)) or (
                right and _word_crosses(window, re_, rs, re_, freq)
            ):
                ok = self._straddles_no_token(window, rs, re_)
            else:
                ok = True
            if len(self._confirm_cache) > 200_000:
                self._confirm_cache.clear()
            self._confirm_cache[ck] = ok
        return ok

    def _straddles_no_token(self, window: str, rs: int, re_: int) -> bool:
        bounds = self._boundaries(window)
        for i in range(len(bounds) - 1):
            ts, te = bounds[i], bounds[i + 1]
            if te <= rs:
                continue
            if ts >= re_:
                break
            inside = ts >= rs and te <= re_
            contains = ts <= rs and te >= re_
            if not inside and not contains:
                return False
        return True

    def _ok(self, f: _Field, s: int, e: int) -> bool:
        key = (s, e)
        r = f.confirmed.get(key)
        if r is None:
            r = f.confirmed[key] = self._confirm(f.norm, s, e)
        return r

    # -- classification ---------------------------------------------------

    def _scan(self, f: _Field) -> tuple[list[list[tuple[int, int, int, Any]]], list[tuple[int, int, str]]]:
        """Keyword/exclusion hits per topic, plus all requirement-term hits."""
        per_topic: list[list[tuple[int, int, int, Any]]] = [[] for _ in self._compiled]
        req_hits: list[tuple[int, int, str]] = []
        if not f.norm or not self._entries:
            return per_topic, req_hits
        direct, reqs = self._direct, self._reqs
        for end, key in self._automaton.iter(f.norm):
            s, e = end - len(key) + 1, end + 1
            for ti, role, payload in direct[key]:
                per_topic[ti].append((s, e, role, payload))
            if reqs[key]:
                req_hits.append((s, e, key))
        return per_topic, req_hits

    def _resolve(
        self,
        f: _Field,
        ti: int,
        raw_hits: list[tuple[int, int, int, Any]],
        req_hits: list[tuple[int, int, str]],
    ) -> tuple[list[_Hit], list[list[_Hit]]]:
        """Keyword hits (exclusion-masked, leftmost-longest) and requirement hits per rule."""
        excl = [(s, e) for s, e, role, _ in raw_hits if role == _EXCL]

        def masked(s: int, e: int) -> bool:
            return bool(excl) and any(s < xe and e > xs for xs, xe in excl)

        kws = sorted(
            ((s, e, p) for s, e, role, p in raw_hits if role == _KW and not masked(s, e)),
            key=lambda h: (h[0], -(h[1] - h[0])),
        )
        chosen: list[_Hit] = []
        last = -1
        for s, e, term in kws:
            # leftmost-longest; a candidate already covered is never confirmed (saves jieba calls)
            if s >= last and self._ok(f, s, e):
                chosen.append(_Hit(s, e, term))
                last = e
        # requirement hits are confirmed lazily in _rules_ok: most are never needed
        reqs: dict[int, list[_Hit]] = {}
        if self._compiled[ti].term_rules:
            for s, e, key in req_hits:
                for tj, ri in self._reqs[key]:
                    if tj == ti and not masked(s, e):
                        reqs.setdefault(ri, []).append(_Hit(s, e, key))
        n = max(reqs) + 1 if reqs else 0
        return chosen, [reqs.get(i, []) for i in range(n)]

    def _analyse(
        self, title: str, text: str
    ) -> list[tuple[float, _Compiled, list[list[_Hit]], list[_Field]]]:
        fields = [_Field(title or ""), _Field(text or "")]
        scans = [self._scan(f) for f in fields]
        results = []
        for ti, comp in enumerate(self._compiled):
            if not any(h[2] == _KW for h in scans[0][0][ti]) and not any(
                h[2] == _KW for h in scans[1][0][ti]
            ):
                continue
            resolved = [self._resolve(f, ti, scans[fi][0][ti], scans[fi][1]) for fi, f in enumerate(fields)]
            kept: list[list[_Hit]] = [[], []]
            for fi, (kws, _) in enumerate(resolved):
                for h in kws:
                    if self._rules_ok(comp, fi, h, resolved, fields):
                        kept[fi].append(h)
            if not kept[0] and not kept[1]:
                continue
            results.append((self._score(comp, kept), comp, kept, fields))
        return results

    def _rules_ok(
        self,
        comp: _Compiled,
        fi: int,
        hit: _Hit,
        resolved: list[tuple[list[_Hit], list[list[_Hit]]]],
        fields: list[_Field],
    ) -> bool:
        rules = comp.term_rules.get(hit.term)
        if not rules:
            return True
        own = comp.forms[hit.term]
        for ri in rules:
            window = comp.topic.cooccurrence[ri].window
            found = False
            for fj, (_, reqs) in enumerate(resolved):
                # title hits speak for the whole article: their window is the body too
                if ri >= len(reqs) or (window and fi != 0 and fj != fi):
                    continue
                for r in reqs[ri]:
                    # a term cannot vouch for itself, nor can a word inside it
                    if r.term in own or (fj == fi and r.start < hit.end and r.end > hit.start):
                        continue
                    if window and fi == fj and max(r.start - hit.end, hit.start - r.end, 0) > window:
                        continue
                    if not self._ok(fields[fj], r.start, r.end):
                        continue
                    found = True
                    break
                if found:
                    break
            if not found:
                return False
        return True

    @staticmethod
    def _score(comp: _Compiled, kept: list[list[_Hit]]) -> float:
        """Saturating score: 1 - exp(-S / saturation).

        S sums, per distinct term, weight x title_weight if it is in the
        title plus weight x (1 + ln count) for body mentions, so repetition
        helps but with diminishing returns.  Context terms (weight below
        CONTEXT_WEIGHT) add at most CONTEXT_CAP in total; when the strong
        evidence is a single body mention it is damped by
        SINGLE_MENTION_FACTOR, since passing mentions are common.
        """
        topic = comp.topic
        title_terms = {h.term for h in kept[0]}
        body: dict[str, int] = {}
        for h in kept[1]:
            body[h.term] = body.get(h.term, 0) + 1
        strong = context = 0.0
        strong_mentions = 0
        strong_in_title = False
        for term in title_terms | body.keys():
            w = comp.weights[term]
            part = 0.0
            if term in title_terms:
                part += w * topic.title_weight
            c = body.get(term, 0)
            if c:
                part += w * (1.0 + math.log(c))
            if w < CONTEXT_WEIGHT:
                context += part
            else:
                strong += part
                strong_mentions += c
                strong_in_title = strong_in_title or term in title_terms
        if not strong_in_title and strong_mentions == 1:
            # one passing mention is rarely what an article is about
            strong *= SINGLE_MENTION_FACTOR
        total = strong + min(context, CONTEXT_CAP)
        return 1.0 - math.exp(-total / topic.saturation)

    def classify(self, title: str, text: str) -> list[TopicMatch]:
        """Topics reaching their threshold, best score first, with evidence."""
        out: list[TopicMatch] = []
        for score, comp, kept, fields in self._analyse(title, text):
            if score + 1e-12 < comp.topic.threshold:
                continue
            out.append(self._match(score, comp, kept, fields))
        out.sort(key=lambda m: -m.score)
        return out

    def scores(self, title: str, text: str) -> dict[str, float]:
        """Raw score of every topic with at least one hit (no threshold); for tuning."""
        return {comp.topic.id: round(score, 4) for score, comp, _, _ in self._analyse(title, text)}

    # -- evidence ---------------------------------------------------------

    def _match(
        self, score: float, comp: _Compiled, kept: list[list[_Hit]], fields: list[_Field]
    ) -> TopicMatch:
        counts: dict[str, int] = {}
        for hits in kept:
            for h in hits:
                counts[h.term] = counts.get(h.term, 0) + 1
        fi = 1 if kept[1] else 0
        evidence, spans = self._evidence(comp, fields[fi], kept[fi])
        return TopicMatch(
            topic_id=comp.topic.id,
            score=round(min(1.0, max(0.0, score)), 4),
            terms=counts,
            evidence=evidence,
            spans=spans,
        )

    @staticmethod
    def _evidence(comp: _Compiled, f: _Field, hits: list[_Hit]) -> tuple[str, tuple[tuple[int, int], ...]]:
        """Best sentence (most weight, then most hits), cut to <= 200 chars around the hits."""
        starts = f.sentence_starts()
        by_sentence: dict[int, list[tuple[int, int, str]]] = {}
        for h in hits:
            os_, oe = f.orig(h.start, h.end)
            si = bisect.bisect_right(starts, os_) - 1
            by_sentence.setdefault(si, []).append((os_, oe, h.term))

        def value(items: list[tuple[int, int, str]]) -> float:
            return sum(comp.weights[t] for t in {t for _, _, t in items}) + 0.01 * len(items)

        si = max(by_sentence, key=lambda k: (value(by_sentence[k]), -k))
        items = sorted(by_sentence[si])
        a = starts[si]
        b = starts[si + 1] if si + 1 < len(starts) else len(f.raw)
        # sentence ends may straddle a hit when the terminator is inside it; widen
        a = min(a, items[0][0])
        b = max(b, items[-1][1])
        raw = f.raw
        while a < b and raw[a].isspace():
            a += 1
        while b > a and raw[b - 1].isspace():
            b -= 1
        if b - a > EVIDENCE_MAX:
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
            a = best[1]
            b = min(b, a + EVIDENCE_MAX)
        text = raw[a:b].replace("\r", " ").replace("\n", " ").replace("\t", " ")
        spans = tuple((s - a, e - a) for s, e, _ in items if s >= a and e <= b)
        return text, spans
