"""Matching engine: Aho-Corasick candidates, boundary confirmation, co-occurrence rules, scoring.

One automaton over every normalised term finds candidate hits (fed by the
prefilter, _prefilter.py); a hit whose edge touches another Han character is
confirmed with jieba (_boundary.py); the kept hits are scored here and quoted
with their best sentence (_evidence.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ahocorasick

from ._boundary import Boundaries
from ._evidence import Field, Hit, Match, make_match
from ._normalise import _numpy, normalise
from ._prefilter import Prefilter
from ._topics import Topic, topics_hash

_np = _numpy()  # None: no numpy, the automaton is fed unfiltered (tests force that too)

_KW, _EXCL, _REQ = 0, 1, 2
SINGLE_MENTION_FACTOR = 0.9
# Terms weighted below CONTEXT_WEIGHT are context (通州, 大运河, 人工智能):
# together they add at most CONTEXT_CAP, so a local story repeating 通州 ten
# times cannot reach the threshold without a real topic term.
CONTEXT_WEIGHT = 1.0
CONTEXT_CAP = 1.5


@dataclass
class _Compiled:
    topic: Topic
    weights: dict[str, float]  # canonical keyword -> weight
    forms: dict[str, frozenset[str]]  # canonical -> its normalised spellings
    term_rules: dict[str, list[int]]  # canonical -> indexes into topic.cooccurrence


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
        self._prefilter = Prefilter(list(self._entries)) if _np is not None and self._entries else None
        self._bounds = Boundaries(teach)
        self._confirm = self._bounds.confirm  # bound once: called for every candidate hit

    @property
    def topics(self) -> list[Topic]:
        """The topics this classifier was built with, in order."""
        return list(self._topics)

    def hashes(self) -> dict[str, str]:
        """topic id -> topics_hash, to store next to each match."""
        return dict(self._hashes)

    # -- classification ---------------------------------------------------

    def _ok(self, f: Field, s: int, e: int) -> bool:
        key = (s, e)
        r = f.confirmed.get(key)
        if r is None:
            r = f.confirmed[key] = self._confirm(f.norm, s, e)
        return r

    def _scan(
        self, f: Field
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
        f: Field,
        ti: int,
        kw_hits: list[tuple[int, int, Any]],
        excl: list[tuple[int, int]],
        req_hits: list[tuple[int, int, str]],
    ) -> tuple[list[Hit], list[list[Hit]]]:
        """Keyword hits (unmasked ``kw_hits``, leftmost-longest) and requirement hits per rule."""
        kws = sorted(kw_hits, key=lambda h: (h[0], h[0] - h[1]))
        chosen: list[Hit] = []
        last = -1
        for s, e, term in kws:
            # leftmost-longest; a candidate already covered is never confirmed (saves jieba calls)
            if s >= last and self._ok(f, s, e):
                chosen.append(Hit(s, e, term))
                last = e
        # requirement hits are confirmed lazily in _rules_ok: most are never needed
        reqs: dict[int, list[Hit]] = {}
        if self._compiled[ti].term_rules:
            for s, e, key in req_hits:
                for tj, ri in self._reqs[key]:
                    if tj == ti and not (excl and any(s < xe and e > xs for xs, xe in excl)):
                        reqs.setdefault(ri, []).append(Hit(s, e, key))
        n = max(reqs) + 1 if reqs else 0
        return chosen, [reqs.get(i, []) for i in range(n)]

    def _analyse(
        self, title: str, text: str, prune: bool = False
    ) -> list[tuple[float, _Compiled, list[list[Hit]], list[Field]]]:
        """Score every topic with a keyword hit.

        With ``prune`` (classify), a topic whose score could not reach its
        threshold even if every unmasked candidate keyword hit were confirmed
        and passed its co-occurrence rules is dropped before any boundary
        check: the score only grows when hits are added (see _score), and
        the confirmed, kept hits are always a subset of those candidates.
        """
        fields = [Field(title or ""), Field(text or "")]
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
            kept: list[list[Hit]] = [[], []]
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
        hit: Hit,
        resolved: list[tuple[list[Hit], list[list[Hit]]]],
        fields: list[Field],
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
    def _score(comp: _Compiled, kept: list[list[Hit]]) -> float:
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

    def classify(self, title: str, text: str) -> list[Match]:
        """Topics reaching their threshold, best score first, with evidence."""
        out: list[Match] = []
        for score, comp, kept, fields in self._analyse(title, text, prune=True):
            if score + 1e-12 < comp.topic.threshold:
                continue
            out.append(
                make_match(comp.topic.id, score, comp.weights, kept, fields, self._hashes[comp.topic.id])
            )
        out.sort(key=lambda m: -m.score)
        return out

    def scores(self, title: str, text: str) -> dict[str, float]:
        """Raw score of every topic with at least one hit (no threshold); for tuning."""
        return {comp.topic.id: round(score, 4) for score, comp, _, _ in self._analyse(title, text)}
