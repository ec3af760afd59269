"""A traditional-script repost (a Hong Kong portal's copy) joins the simplified original's story.

data/hket_traditional.txt is the opening of the Beijing notice in data/gov_full.txt as a Hong Kong
portal reposts it: converted to traditional characters with Hong Kong variants (公佈, 發佈),
under the portal's own lead-in and above its editor's note and disclaimer.
"""

from __future__ import annotations

from processor.stories import prints_of

from .util import DATA, EM_SHORT, GOV_FULL, SENTENCES, add, body

HK_REPOST = (DATA / "hket_traditional.txt").read_text()


def test_the_repost_is_traditional_script():
    assert "關於推進北京城市副中心高質量發展" in HK_REPOST and "关于" not in HK_REPOST


def test_traditional_repost_joins_the_simplified_original(session):
    gov = add(session, GOV_FULL, source="北京市人民政府", tier=0)
    add(session, body(range(60, 90)))
    hk = add(session, HK_REPOST, source="香港經濟日報", tier=2)
    assert hk.story_id == gov.story_id


def test_simplified_copies_join_a_traditional_repost_stored_first(session):
    hk = add(session, HK_REPOST, source="香港經濟日報", tier=2)
    short = add(session, EM_SHORT, source="eastmoney")
    gov = add(session, GOV_FULL, source="北京市人民政府", tier=0)
    assert hk.story_id == short.story_id == gov.story_id


def test_script_makes_almost_no_difference_to_the_fingerprints():
    # Character-level mapping: OpenCC's s2t/s2hk/s2tw keep all but a character or two (one
    # fingerprint here); s2twp also swaps Taiwanese vocabulary, which costs more and still joins.
    import opencc

    text = body(range(0, 20))
    mine = set(prints_of(text))
    for config, least in (("s2t", 0.95), ("s2hk", 0.95), ("s2tw", 0.95), ("s2twp", 0.7)):
        theirs = set(prints_of(opencc.OpenCC(config).convert(text)))
        assert len(mine & theirs) / len(mine) >= least, config


def test_a_different_traditional_story_stays_apart(session):
    import opencc

    gov = add(session, GOV_FULL, tier=0)
    other = add(session, opencc.OpenCC("s2hk").convert("".join(SENTENCES[40:70])))  # finews, not the notice
    assert other.story_id != gov.story_id
