"""Topic definitions: the dataclass, config validation and a stable hash.

Users add topics in the config (``[[topics]]`` tables) without code, so every
key is validated here and errors name the exact dotted key that is wrong.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._normalise import normalise

DEFAULT_TITLE_WEIGHT = 2.0
DEFAULT_THRESHOLD = 0.5
DEFAULT_SATURATION = 4.0
MAX_WEIGHT = 10.0
# Bump when the matching/scoring code changes meaning: part of topics_hash.
ALGORITHM_VERSION = 1


class TopicError(ValueError):
    """A bad ``[[topics]]`` entry; ``key`` is the dotted path, e.g. ``topics[2].keywords``."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class CoRule:
    """Co-occurrence rule: hits of ``terms`` count only near a hit of ``requires``.

    "数字经济" alone is not digital currency; "通州" alone may be Nantong's
    Tongzhou.  ``window`` is the distance in characters between the two hits
    within the same field (title or body); 0 means anywhere in the article.
    """

    terms: tuple[str, ...]
    requires: tuple[str, ...]
    window: int = 0


@dataclass(frozen=True)
class Topic:
    """A user-visible theme with weighted terms.

    ``keywords`` maps a term (word or phrase) to its weight; ``aliases`` maps a
    keyword to other spellings that count as that keyword (e-CNY for
    数字人民币).  ``exclusions`` are phrases that veto any keyword hit they
    overlap ("南通市通州区" masks 通州).  ``title_weight`` multiplies the weight
    of terms seen in the title; ``saturation`` is the weighted evidence at
    which the score reaches 1 - 1/e; ``threshold`` is the minimum score.
    """

    id: str
    name: str
    keywords: dict[str, float]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclusions: tuple[str, ...] = ()
    cooccurrence: tuple[CoRule, ...] = ()
    title_weight: float = DEFAULT_TITLE_WEIGHT
    threshold: float = DEFAULT_THRESHOLD
    saturation: float = DEFAULT_SATURATION
    description: str = ""
    name_en: str = ""  # the English pages' name ("" = `name`)
    description_en: str = ""  # the English pages' description ("" = none shown there)

    def __hash__(self) -> int:
        return hash(topics_hash(self))


_KNOWN_KEYS = {
    "id",
    "name",
    "description",
    "name_en",
    "description_en",
    "keywords",
    "phrases",
    "aliases",
    "exclusions",
    "cooccurrence",
    "title_weight",
    "threshold",
    "saturation",
}
_RULE_KEYS = {"terms", "requires", "window"}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _term(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TopicError(key, f"expected a string, got {type(value).__name__}")
    if not normalise(value):
        raise TopicError(key, "empty term")
    return value.strip()


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TopicError(key, f"expected a list of strings, got {type(value).__name__}")
    return tuple(_term(f"{key}[{i}]", v) for i, v in enumerate(value))


def _weights(key: str, value: Any) -> dict[str, float]:
    """Accept ``{term = weight}`` or a plain list of terms (weight 1)."""
    if isinstance(value, (list, tuple)):
        return {t: 1.0 for t in _str_list(key, value)}
    if not isinstance(value, Mapping):
        raise TopicError(
            key, f"expected a table of term = weight or a list of terms, got {type(value).__name__}"
        )
    out: dict[str, float] = {}
    for term, weight in value.items():
        t = _term(key, term)
        if not _is_number(weight) or not 0 < weight <= MAX_WEIGHT:
            raise TopicError(
                f"{key}.{term}", f"weight must be a number in (0, {MAX_WEIGHT:g}], got {weight!r}"
            )
        out[t] = float(weight)
    return out


def _aliases(prefix: str, raw: Any, norm_kw: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """``aliases = {keyword = [spelling, ...]}``, keyed by the canonical keyword."""
    if not isinstance(raw, Mapping):
        raise TopicError(f"{prefix}.aliases", "expected a table: keyword = [alias, ...]")
    aliases: dict[str, tuple[str, ...]] = {}
    for kw, alts in raw.items():
        akey = f"{prefix}.aliases.{kw}"
        if not isinstance(kw, str) or normalise(kw) not in norm_kw:
            raise TopicError(akey, "aliases must be keyed by one of the topic's keywords")
        canonical = norm_kw[normalise(kw)]
        alts_t = _str_list(akey, [alts] if isinstance(alts, str) else alts)
        aliases[canonical] = tuple(dict.fromkeys(aliases.get(canonical, ()) + alts_t))
    return aliases


def _rule(rkey: str, rule: Any, norm_kw: Mapping[str, str]) -> CoRule:
    if not isinstance(rule, Mapping):
        raise TopicError(rkey, "expected a table {terms, requires, window}")
    for k in rule:
        if k not in _RULE_KEYS:
            raise TopicError(f"{rkey}.{k}", f"unknown key (known: {', '.join(sorted(_RULE_KEYS))})")
    terms = _str_list(f"{rkey}.terms", rule.get("terms", []))
    if not terms:
        raise TopicError(f"{rkey}.terms", "needs at least one keyword")
    for j, t in enumerate(terms):
        if normalise(t) not in norm_kw:
            raise TopicError(f"{rkey}.terms[{j}]", f"{t!r} is not one of the topic's keywords")
    requires = _str_list(f"{rkey}.requires", rule.get("requires", []))
    if not requires:
        raise TopicError(f"{rkey}.requires", "needs at least one term")
    window = rule.get("window", 0)
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise TopicError(f"{rkey}.window", f"expected a non-negative integer, got {window!r}")
    return CoRule(tuple(norm_kw[normalise(t)] for t in terms), requires, window)


def _rules(prefix: str, raw: Any, norm_kw: Mapping[str, str]) -> tuple[CoRule, ...]:
    """``cooccurrence``: one table or a list of them."""
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        raise TopicError(f"{prefix}.cooccurrence", "expected a list of tables {terms, requires, window}")
    return tuple(_rule(f"{prefix}.cooccurrence[{i}]", rule, norm_kw) for i, rule in enumerate(raw))


def _topic_from_entry(prefix: str, entry: Any) -> Topic:
    if not isinstance(entry, Mapping):
        raise TopicError(prefix, f"expected a table, got {type(entry).__name__}")
    for k in entry:
        if k not in _KNOWN_KEYS:
            raise TopicError(f"{prefix}.{k}", f"unknown key (known: {', '.join(sorted(_KNOWN_KEYS))})")
    tid = entry.get("id")
    if not isinstance(tid, str) or not tid.strip():
        raise TopicError(f"{prefix}.id", "missing or empty id")
    tid = tid.strip()
    name = entry.get("name", tid)
    if not isinstance(name, str) or not name.strip():
        raise TopicError(f"{prefix}.name", "name must be a non-empty string")
    description, name_en, description_en = (
        _text(prefix, entry, k) for k in ("description", "name_en", "description_en")
    )

    keywords: dict[str, float] = {}
    for k in ("keywords", "phrases"):
        if k in entry:
            for term, w in _weights(f"{prefix}.{k}", entry[k]).items():
                keywords[term] = max(w, keywords.get(term, 0.0))
    if not keywords:
        raise TopicError(f"{prefix}.keywords", "a topic needs at least one keyword or phrase")
    norm_kw = {normalise(t): t for t in keywords}

    aliases = _aliases(prefix, entry.get("aliases", {}), norm_kw)
    exclusions = _str_list(f"{prefix}.exclusions", entry.get("exclusions", []))
    rules = _rules(prefix, entry.get("cooccurrence", []), norm_kw)

    def number(k: str, default: float, lo: float, hi: float, lo_open: bool = True) -> float:
        v = entry.get(k, default)
        ok = _is_number(v) and (lo < v if lo_open else lo <= v) and v <= hi
        if not ok:
            lo_b = "(" if lo_open else "["
            raise TopicError(f"{prefix}.{k}", f"must be a number in {lo_b}{lo:g}, {hi:g}], got {v!r}")
        return float(v)

    return Topic(
        id=tid,
        name=name.strip(),
        keywords=keywords,
        aliases=aliases,
        exclusions=exclusions,
        cooccurrence=rules,
        title_weight=number("title_weight", DEFAULT_TITLE_WEIGHT, 0.0, 10.0, lo_open=False),
        threshold=number("threshold", DEFAULT_THRESHOLD, 0.0, 1.0),
        saturation=number("saturation", DEFAULT_SATURATION, 0.0, 100.0),
        description=description,
        name_en=name_en,
        description_en=description_en,
    )


def _text(prefix: str, entry: Mapping[str, Any], key: str) -> str:
    """An optional display text (a description, an English name): a string, stripped."""
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise TopicError(f"{prefix}.{key}", f"expected a string, got {type(value).__name__}")
    return value.strip()


def topics_from_config(entries: list[dict], *, include_defaults: bool = True) -> list[Topic]:
    """Validate parsed ``[[topics]]`` tables and merge them with the defaults.

    An entry whose id equals a default topic's id replaces that default (in
    its position); other defaults stay when ``include_defaults`` is true.
    """
    if entries is None:
        entries = []
    if not isinstance(entries, (list, tuple)):
        raise TopicError("topics", f"expected a list of tables ([[topics]]), got {type(entries).__name__}")
    own: list[Topic] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        topic = _topic_from_entry(f"topics[{i}]", entry)
        if topic.id in seen:
            raise TopicError(f"topics[{i}].id", f"duplicate id {topic.id!r} (also topics[{seen[topic.id]}])")
        seen[topic.id] = i
        own.append(topic)
    if not include_defaults:
        return own
    by_id = {t.id: t for t in own}
    merged = [by_id.pop(d.id, d) for d in default_topics()]
    return merged + [t for t in own if t.id in by_id]


def default_topics() -> list[Topic]:
    """The four built-in topics (see ``_defaults.py``), validated like user config."""
    from ._defaults import DEFAULT_TOPICS

    return [_topic_from_entry(f"defaults[{i}]", e) for i, e in enumerate(DEFAULT_TOPICS)]


def topic_definition(topic: Topic) -> dict[str, Any]:
    """Canonical, normalised form of everything that affects matching.

    ``name``, ``description`` and their English twins are left out so renaming a topic does not
    make stored matches look stale.
    """
    weights = {normalise(k): round(w, 6) for k, w in topic.keywords.items()}
    aliases = {
        normalise(k): sorted({normalise(a) for a in v} - {normalise(k)}) for k, v in topic.aliases.items()
    }
    return {
        "algorithm": ALGORITHM_VERSION,
        "id": topic.id,
        "keywords": dict(sorted(weights.items())),
        "aliases": {k: v for k, v in sorted(aliases.items()) if v},
        "exclusions": sorted({normalise(e) for e in topic.exclusions}),
        "cooccurrence": sorted(
            (
                {
                    "terms": sorted({normalise(t) for t in r.terms}),
                    "requires": sorted({normalise(t) for t in r.requires}),
                    "window": r.window,
                }
                for r in topic.cooccurrence
            ),
            key=lambda d: json.dumps(d, ensure_ascii=False, sort_keys=True),
        ),
        "title_weight": round(topic.title_weight, 6),
        "threshold": round(topic.threshold, 6),
        "saturation": round(topic.saturation, 6),
    }


def topics_hash(topic: Topic) -> str:
    """sha256 hex of the normalised definition; stored next to each match.

    Order of terms, script (繁/简) and width do not change the hash; any
    change of weights, terms or rules does, so stale matches can be found.
    """
    blob = json.dumps(topic_definition(topic), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
