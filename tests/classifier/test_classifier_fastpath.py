"""The speed paths (numpy normalisation, automaton prefilter, pruning, boundary shortcuts)
must give exactly what the plain paths give."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from classifier import Classifier, _boundary, _engine, _normalise, default_topics
from classifier._normalise import _t2s, normalise_fast, normalise_map

LABELLED = Path(__file__).resolve().parent.parent / "data" / "topics_labelled.jsonl"


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier(default_topics())


def _items() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _alphabet() -> list[str]:
    trad = [chr(k) for k in sorted(_t2s())[:300]]
    return (
        list(
            "数字人民币试點與綠色金融碳交易北京通州副中心ＣＢＤＣＥ－ａbcXYZ ℃ⅡⅢ…，。！\n\t\r\u3000"
            "\u200b\u200d\ufeff𠀀𝐀ﬁ㈱¨é"
        )
        + trad
    )


@pytest.mark.parametrize("min_chars", [0, 128])
def test_fast_normalisation_equals_normalise_map(monkeypatch, min_chars):
    monkeypatch.setattr(_normalise, "_NP_MIN_CHARS", min_chars)
    rng = random.Random(min_chars)
    alpha = _alphabet()
    for _ in range(3000):
        text = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 300)))
        if rng.random() < 0.3:
            text = text.replace("𠀀", "").replace("𝐀", "")  # keep the numpy path in play
        out, index = normalise_map(text)
        fast, offsets, codes = normalise_fast(text)
        assert fast == out
        expected = index if index is not None else list(range(len(out)))
        got = offsets.to_list(len(fast)) if offsets is not None else list(range(len(fast)))
        assert got == expected, text
        if codes is not None:
            assert codes.tobytes().decode("utf-32-le") == fast


def test_prefilter_finds_exactly_the_automaton_hits(clf):
    keys = list(clf._entries)
    rng = random.Random(5)
    filler = list("的了在是和与对将等年月日中国市场企业公司发展北京金融数字绿色 ,.ai")
    for _ in range(500):
        parts = []
        for _ in range(rng.randint(1, 40)):
            if rng.random() < 0.4:
                k = rng.choice(keys)
                parts.append(k[rng.randint(0, len(k) - 1) :] if rng.random() < 0.3 else k)
            else:
                parts.append("".join(rng.choice(filler) for _ in range(rng.randint(1, 6))))
        text = "".join(parts)
        text = text * (1 + 200 // len(text))  # long enough for the numpy path
        norm, _, codes = normalise_fast(text)
        assert codes is not None
        assert sorted(clf._prefilter.hits(clf._automaton, codes)) == sorted(clf._automaton.iter(norm))


def _naive_word_crosses(text, pos, s, e, freq):
    n = len(text)
    for a in range(max(0, pos - _boundary._MAX_CROSS + 1), pos):
        for b in range(pos + 1, min(n, a + _boundary._MAX_CROSS) + 1):
            if a <= s and b >= e:
                continue
            if freq.get(text[a:b]):
                return True
    return False


def test_word_crosses_shortcuts_match_the_exhaustive_check(clf):
    freq = clf._bounds.tok.FREQ
    # the early exits rely on jieba keeping every prefix of every word in FREQ
    assert all(w[:i] in freq for w in list(freq)[::50] for i in range(1, len(w)))
    rng = random.Random(9)
    items = _items()
    for _ in range(3000):
        text = rng.choice(items)["text"]
        if len(text) < 20:
            continue
        ws = rng.randint(0, len(text) - 12)
        window = text[ws : ws + rng.randint(6, 12)]
        s = rng.randint(1, len(window) - 3)
        e = rng.randint(s + 1, min(len(window) - 1, s + 6))
        for pos in (s, e):
            assert _boundary.word_crosses(window, pos, s, e, freq) == _naive_word_crosses(
                window, pos, s, e, freq
            )


def test_pruned_classify_equals_unpruned_analysis(clf):
    for item in _items():
        title, text = item.get("title") or "", item.get("text") or ""
        full = [
            (comp.topic.id, round(score, 4))
            for score, comp, _, _ in clf._analyse(title, text)
            if score + 1e-12 >= comp.topic.threshold
        ]
        got = [(m.topic_id, m.score) for m in clf.classify(title, text)]
        assert sorted(got) == sorted(full)


def test_results_do_not_depend_on_numpy(monkeypatch, clf):
    items = _items()
    with_np = [
        (clf.classify(i.get("title") or "", i["text"]), clf.scores(i.get("title") or "", i["text"]))
        for i in items
    ]
    monkeypatch.setattr(_normalise, "_np", None)
    monkeypatch.setattr(_engine, "_np", None)
    plain = Classifier(default_topics())
    assert plain._prefilter is None
    without = [
        (plain.classify(i.get("title") or "", i["text"]), plain.scores(i.get("title") or "", i["text"]))
        for i in items
    ]
    assert with_np == without
