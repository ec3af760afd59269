"""Matching engine: Aho-Corasick candidates, jieba boundary confirmation, scoring.

Segmenting whole articles with jieba runs at ~400 KB/s, far too slow for
thousands of articles per second.  Instead one automaton over every
normalised term finds candidate hits, and jieba (taught all terms) runs only
on a ~20-character window around a hit whose edge touches another Han
character, to reject hits that straddle a word boundary.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass
from typing import Any

import ahocorasick

from ._normalize import _np, is_cjk, normalise, normalise_fast
from ._topics import Topic, topics_hash

_KW, _EXCL, _REQ = 0, 1, 2
_CONTEXT = 4  # chars of context each side of a hit given to jieba
_MAX_CROSS = 5  # longest dictionary word looked for across a hit edge
EVIDENCE_MAX = 200
SINGLE_MENTION_FACTOR = 0.9
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
        # jieba's FREQ holds every prefix of every word (freq 0), so when
        # text[a:pos] is missing no word starting at a reaches past pos
        if text[a:pos] not in freq:
            continue
        for b in range(pos + 1, min(n, a + _MAX_CROSS) + 1):
            if a <= s and b >= e:
                break  # covers the hit (副中心 inside 城市副中心): fine, and so does every longer b
            f = freq.get(text[a:b])
            if f is None:
                break  # not even a prefix: no longer word either
            if f:
                return True
    return False


class _Prefilter:
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
        self._prefilter = _Prefilter(list(self._entries)) if _np is not None and self._entries else None
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

    def _scan(
        self, f: _Field
    ) -> tuple[list[list[tuple[int, int, Any]]], list[list[tuple[int, int]]], list[tuple[int, int, str]]]:
        """Keyword hits and exclusion spans per topic, plus all requirement-term hits."""
        kw_hits: list[list[tuple[int, int, Any]]] = [[] for _ in self._compiled]
        excl_hits: list[list[tuple[int, int]]] = [[] for _ in self._compiled]
        req_hits: list[tuple[int, int, str]] = []
        if not f.norm or not self._entries:
            return kw_hits, excl_hits, req_hits
        direct, reqs = self._direct, self._reqs
        pf = self._prefilter
        if pf is not None and f.codes is not None and pf.usable:
            found = pf.hits(self._automaton, f.codes)
        else:
            found = self._automaton.iter(f.norm)
        for end, key in found:
            s, e = end - len(key) + 1, end + 1
            for ti, role, payload in direct[key]:
                if role == _KW:
                    kw_hits[ti].append((s, e, payload))
                else:
                    excl_hits[ti].append((s, e))
            if reqs[key]:
                req_hits.append((s, e, key))
        return kw_hits, excl_hits, req_hits

    @staticmethod
    def _unmasked(kws: list[tuple[int, int, Any]], excl: list[tuple[int, int]]) -> list[tuple[int, int, Any]]:
        """Keyword candidates that no exclusion overlaps ("南通市通州区" masks 通州)."""
        if not excl:
            return kws
        return [h for h in kws if not any(h[0] < xe and h[1] > xs for xs, xe in excl)]

    def _resolve(
        self,
        f: _Field,
        ti: int,
        kw_hits: list[tuple[int, int, Any]],
        excl: list[tuple[int, int]],
        req_hits: list[tuple[int, int, str]],
    ) -> tuple[list[_Hit], list[list[_Hit]]]:
        """Keyword hits (unmasked ``kw_hits``, leftmost-longest) and requirement hits per rule."""
        kws = sorted(kw_hits, key=lambda h: (h[0], h[0] - h[1]))
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
                    if tj == ti and not (excl and any(s < xe and e > xs for xs, xe in excl)):
                        reqs.setdefault(ri, []).append(_Hit(s, e, key))
        n = max(reqs) + 1 if reqs else 0
        return chosen, [reqs.get(i, []) for i in range(n)]

    def _analyse(
        self, title: str, text: str, prune: bool = False
    ) -> list[tuple[float, _Compiled, list[list[_Hit]], list[_Field]]]:
        """Score every topic with a keyword hit.

        With ``prune`` (classify), a topic whose score could not reach its
        threshold even if every unmasked candidate keyword hit were confirmed
        and passed its co-occurrence rules is dropped before any boundary
        check: the score only grows when hits are added (see _score), and
        the confirmed, kept hits are always a subset of those candidates.
        """
        fields = [_Field(title or ""), _Field(text or "")]
        scans = [self._scan(f) for f in fields]
        results = []
        for ti, comp in enumerate(self._compiled):
            if not scans[0][0][ti] and not scans[1][0][ti]:
                continue
            cands = [self._unmasked(sc[0][ti], sc[1][ti]) for sc in scans]
            if prune:
                bound = self._score_terms(comp, [h[2] for h in cands[0]], [h[2] for h in cands[1]])
                if bound + 1e-12 < comp.topic.threshold:
                    continue
            resolved = [
                self._resolve(f, ti, cands[fi], scans[fi][1][ti], scans[fi][2]) for fi, f in enumerate(fields)
            ]
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
        return Classifier._score_terms(comp, [h.term for h in kept[0]], [h.term for h in kept[1]])

    @staticmethod
    def _score_terms(comp: _Compiled, title_hits: list[str], body_hits: list[str]) -> float:
        """Saturating score: 1 - exp(-S / saturation).

        S sums, per distinct term, weight x title_weight if it is in the
        title plus weight x (1 + ln count) for body mentions, so repetition
        helps but with diminishing returns.  Context terms (weight below
        CONTEXT_WEIGHT) add at most CONTEXT_CAP in total; when the strong
        evidence is a single body mention it is damped by
        SINGLE_MENTION_FACTOR, since passing mentions are common.
        """
        topic = comp.topic
        title_terms = set(title_hits)
        body: dict[str, int] = {}
        for term in body_hits:
            body[term] = body.get(term, 0) + 1
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
        for score, comp, kept, fields in self._analyse(title, text, prune=True):
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
        # sentences are keyed by their start offset, which orders them like their index
        by_sentence: dict[int, list[tuple[int, int, str]]] = {}
        for h in hits:
            os_, oe = f.orig(h.start, h.end)
            by_sentence.setdefault(f.sentence_start(os_), []).append((os_, oe, h.term))

        def value(items: list[tuple[int, int, str]]) -> float:
            return sum(comp.weights[t] for t in {t for _, _, t in items}) + 0.01 * len(items)

        si = max(by_sentence, key=lambda k: (value(by_sentence[k]), -k))
        items = sorted(by_sentence[si])
        a = si
        b = f.sentence_end(items[0][0])
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
