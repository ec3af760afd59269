"""Republished copies join one story; different stories stay apart, whatever they share."""

from __future__ import annotations

import re

import pytest

from processor.stories import prints_of

from .util import FOOTER, SENTENCES, add, body

BASE = body(range(0, 20))  # ~1,000 characters of real news sentences
OTHER = body(range(120, 140))
THIRD = body(range(200, 220))
WIDGETS = ["贵州茅台(600519)1800.00 +1.25%", "银行(BK0475)", "上证指数3521.26点，涨0.42%", "K图 BK0883_0"]


def with_widgets(text: str) -> str:
    parts = text.split("。")
    return "。".join(p + (f" {WIDGETS[i % 4]} " if i % 3 == 1 else "") for i, p in enumerate(parts))


def simplified_punctuation(text: str) -> str:
    table = str.maketrans(
        {"，": ",", "。": ". ", "、": ",", "；": ";", "：": ":", "“": '"', "”": '"', "（": "(", "）": ")"}
    )
    return text.translate(table)


def reworded_lead(text: str) -> str:
    first = re.match(r"[^。]*。[^。]*。", text).group(0)
    return "记者今日从有关方面获悉，相关负责人在接受采访时作了详细介绍。" + text[len(first) :]


VARIANTS = {
    "boilerplate added": lambda t: "【财经网讯】" + t + "\n（文章来源：新华社）责任编辑：张三\n" + FOOTER,
    "stock-quote widgets": with_widgets,
    "reworded lead paragraph": reworded_lead,
    "truncated to a third": lambda t: t[: len(t) // 3],
    "extended": lambda t: t + body(range(300, 306)),
    "simplified punctuation": simplified_punctuation,
    "fullwidth to halfwidth and spacing": lambda t: " ".join(t),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_joins_the_original(session, name):
    original = add(session, BASE)
    add(session, OTHER)
    copy = add(session, VARIANTS[name](BASE))
    assert copy.story_id == original.story_id, name


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_original_joins_an_earlier_variant(session, name):
    copy = add(session, VARIANTS[name](BASE))
    original = add(session, BASE)
    assert copy.story_id == original.story_id, name


def test_boilerplate_removed_joins(session):
    with_footer = add(session, BASE + FOOTER)
    without = add(session, BASE)
    assert with_footer.story_id == without.story_id


def test_shared_footer_does_not_merge_different_stories(session):
    a = add(session, BASE + FOOTER)
    b = add(session, OTHER + FOOTER)
    c = add(session, "【财经网讯】" + THIRD + FOOTER)
    assert len({a.story_id, b.story_id, c.story_id}) == 3


def test_near_identical_titles_do_not_merge(session):
    title = "国务院办公厅关于进一步优化营商环境降低市场主体制度性交易成本的意见"
    a = add(session, BASE, title=title)
    b = add(session, OTHER, title=title + "（第二批）")
    c = add(session, THIRD, title=title)
    assert len({a.story_id, b.story_id, c.story_id}) == 3


def test_short_and_empty_bodies_never_merge(session):
    short = "央行今日开展1000亿元逆回购操作。"  # < 50 characters
    a = add(session, short)
    b = add(session, short)
    c = add(session, "")
    d = add(session, "")
    assert len({a.story_id, b.story_id, c.story_id, d.story_id}) == 4
    assert prints_of(short) == []


def test_short_body_inside_a_long_one_does_not_join_by_one_sentence(session):
    long = add(session, BASE)
    one_sentence = add(session, SENTENCES[5] + SENTENCES[250] + SENTENCES[251] + SENTENCES[252])
    assert one_sentence.story_id != long.story_id


def test_exact_grouping_of_a_mixed_batch(session):
    docs = {
        "a1": BASE,
        "b1": OTHER + FOOTER,
        "a2": with_widgets(BASE),
        "c1": THIRD,
        "a3": BASE[: len(BASE) // 2],
        "b2": simplified_punctuation(OTHER),
        "d1": body(range(330, 350)) + FOOTER,
        "c2": reworded_lead(THIRD) + FOOTER,
        "a4": "【财经网讯】" + BASE + body(range(300, 303)),
        "e1": "央行今日开展1000亿元逆回购操作。",
        "e2": "央行今日开展1000亿元逆回购操作。",
    }
    story = {name: add(session, text).story_id for name, text in docs.items()}
    groups: dict[int, set[str]] = {}
    for name, sid in story.items():
        groups.setdefault(sid, set()).add(name)
    assert sorted(map(sorted, groups.values())) == [
        ["a1", "a2", "a3", "a4"],
        ["b1", "b2"],
        ["c1", "c2"],
        ["d1"],
        ["e1"],
        ["e2"],
    ]
