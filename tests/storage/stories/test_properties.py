"""Property tests over real Chinese sentences: copies never split, different bodies never merge."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from storage import Database

from .util import FOOTER, SENTENCES, add

POOL = range(len(SENTENCES))
BOILER = [
    FOOTER,
    "（文章来源：北京市人民政府官网）",
    "【财经网讯】",
    "责任编辑：王晓明",
    "扫一扫关注我们的微信公众号，获取更多财经资讯。",
    "K图 BK0883_0",
    "贵州茅台(600519) 1800.00 +1.25%",
]
PUNCT = {"，": [",", " ", ""], "。": [".", ". ", " "], "、": [",", " "], "“": ['"', ""], "”": ['"', ""]}
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def fresh_db(tmp_path_factory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('p')}/t.db")
    db.migrate()
    return db


@st.composite
def copy_of(draw, text: str) -> str:
    """The same story with random boilerplate and punctuation changes."""
    out = []
    for ch in text:
        if ch in PUNCT and draw(st.booleans()):
            out.append(draw(st.sampled_from(PUNCT[ch])))
        else:
            out.append(ch)
    text = "".join(out)
    head = draw(st.lists(st.sampled_from(BOILER), max_size=2))
    tail = draw(st.lists(st.sampled_from(BOILER), max_size=2))
    return "".join(head) + "\n" + text + "\n" + "".join(tail)


@SETTINGS
@given(data=st.data(), idx=st.lists(st.sampled_from(POOL), min_size=8, max_size=20, unique=True))
def test_boilerplate_and_punctuation_never_split_a_story(tmp_path_factory, data, idx):
    text = "".join(SENTENCES[i] for i in idx)
    copies = [data.draw(copy_of(text)) for _ in range(3)]
    db = fresh_db(tmp_path_factory)
    with db.session() as s:
        ids = {add(s, t).story_id for t in [text, *copies]}
    db.dispose()
    assert len(ids) == 1


@SETTINGS
@given(
    idx=st.lists(st.sampled_from(POOL), min_size=16, max_size=40, unique=True),
    footer=st.booleans(),
)
def test_different_bodies_of_similar_length_never_merge(tmp_path_factory, idx, footer):
    half = len(idx) // 2
    a = "".join(SENTENCES[i] for i in idx[:half])
    b = "".join(SENTENCES[i] for i in idx[half:])
    tail = FOOTER if footer else ""
    db = fresh_db(tmp_path_factory)
    with db.session() as s:
        first = add(s, a + tail)
        second = add(s, b + tail)
    db.dispose()
    assert first.story_id != second.story_id
