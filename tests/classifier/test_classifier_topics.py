"""Topic config validation, default replacement and hash stability."""

import pytest

from classifier import Topic, TopicError, default_topics, topics_from_config, topics_hash

DEFAULT_IDS = ["digital_currency", "sub_center", "green_finance", "fintech"]


def _entry(**kw):
    base = {"id": "ai_policy", "name": "AI policy", "keywords": {"人工智能": 2.0, "大模型": 3.0}}
    base.update(kw)
    return base


def test_default_topics_have_the_promised_ids():
    assert [t.id for t in default_topics()] == DEFAULT_IDS
    for t in default_topics():
        assert isinstance(t, Topic)
        assert 0 < t.threshold <= 1
        assert t.keywords and all(w > 0 for w in t.keywords.values())


def test_user_topic_is_added_after_defaults():
    topics = topics_from_config([_entry()])
    assert [t.id for t in topics] == DEFAULT_IDS + ["ai_policy"]
    assert topics[-1].keywords == {"人工智能": 2.0, "大模型": 3.0}


def test_entry_with_default_id_replaces_that_default_only():
    topics = topics_from_config([_entry(id="fintech", name="My fintech", keywords=["金融科技"])])
    assert [t.id for t in topics] == DEFAULT_IDS
    fintech = topics[3]
    assert fintech.name == "My fintech" and fintech.keywords == {"金融科技": 1.0}
    assert topics[0] == default_topics()[0]


def test_without_defaults_only_config_topics():
    assert [t.id for t in topics_from_config([_entry()], include_defaults=False)] == ["ai_policy"]


def test_full_entry_with_aliases_exclusions_and_rules():
    t = topics_from_config(
        [
            _entry(
                phrases={"生成式人工智能服务管理": 3.0},
                aliases={"大模型": ["LLM", "大語言模型"]},
                exclusions=["人工智能专业"],
                cooccurrence=[{"terms": ["人工智能"], "requires": ["监管", "政策"], "window": 30}],
                title_weight=3,
                threshold=0.4,
                saturation=5,
            )
        ],
        include_defaults=False,
    )[0]
    assert t.keywords["生成式人工智能服务管理"] == 3.0
    assert t.aliases == {"大模型": ("LLM", "大語言模型")}
    assert t.exclusions == ("人工智能专业",)
    assert t.cooccurrence[0].window == 30
    assert (t.title_weight, t.threshold, t.saturation) == (3.0, 0.4, 5.0)


@pytest.mark.parametrize(
    "entries, key",
    [
        ([_entry(colour="red")], "topics[0].colour"),
        ([_entry(), _entry(id="x", keywords="金融科技")], "topics[1].keywords"),
        ([_entry(id="")], "topics[0].id"),
        ([_entry(id="  ")], "topics[0].id"),
        ([{"name": "no id", "keywords": ["a"]}], "topics[0].id"),
        ([_entry(id=3)], "topics[0].id"),
        ([_entry(), _entry()], "topics[1].id"),
        ([_entry(threshold=0)], "topics[0].threshold"),
        ([_entry(threshold=1.5)], "topics[0].threshold"),
        ([_entry(threshold="high")], "topics[0].threshold"),
        ([_entry(threshold=True)], "topics[0].threshold"),
        ([_entry(title_weight=-1)], "topics[0].title_weight"),
        ([_entry(keywords={})], "topics[0].keywords"),
        ([_entry(keywords={"大模型": 0})], "topics[0].keywords.大模型"),
        ([_entry(keywords={"大模型": "3"})], "topics[0].keywords.大模型"),
        ([_entry(keywords=["大模型", ""])], "topics[0].keywords[1]"),
        ([_entry(aliases={"区块链": ["blockchain"]})], "topics[0].aliases.区块链"),
        ([_entry(aliases=["LLM"])], "topics[0].aliases"),
        ([_entry(exclusions="人工智能专业")], "topics[0].exclusions"),
        (
            [_entry(cooccurrence=[{"terms": ["大模型"], "requires": ["监管"], "span": 3}])],
            "topics[0].cooccurrence[0].span",
        ),
        (
            [_entry(cooccurrence=[{"terms": ["区块链"], "requires": ["监管"]}])],
            "topics[0].cooccurrence[0].terms[0]",
        ),
        (
            [_entry(cooccurrence=[{"terms": ["大模型"], "requires": []}])],
            "topics[0].cooccurrence[0].requires",
        ),
        (
            [_entry(cooccurrence=[{"terms": ["大模型"], "requires": ["监管"], "window": -1}])],
            "topics[0].cooccurrence[0].window",
        ),
        (["not a table"], "topics[0]"),
    ],
)
def test_bad_entries_name_the_offending_key(entries, key):
    with pytest.raises(TopicError) as err:
        topics_from_config(entries)
    assert err.value.key == key
    assert err.value.problem
    assert key in str(err.value)
    assert isinstance(err.value, ValueError)


def test_hash_is_stable_and_insensitive_to_order_script_and_name():
    a = topics_from_config([_entry(keywords={"人工智能": 2.0, "大模型": 3.0})], include_defaults=False)[0]
    b = topics_from_config(
        [_entry(name="renamed", keywords={"大模型": 3.0, "人工智慧": 2.0})], include_defaults=False
    )[0]
    # 人工智慧 is the Taiwan word, not a script variant: different definition
    assert topics_hash(a) != topics_hash(b)
    c = topics_from_config(
        [_entry(name="renamed", keywords={"大模型": 3, "人工智能": 2})], include_defaults=False
    )[0]
    assert topics_hash(a) == topics_hash(c)
    d = topics_from_config(
        [_entry(keywords={"大模型": 3.0, "人工智能": 2.0}, id="ai_policy")], include_defaults=False
    )[0]
    assert topics_hash(a) == topics_hash(d)
    trad = topics_from_config(
        [_entry(keywords={"人工智能": 2.0, "大模型": 3.0}, exclusions=["數字貨幣"])], include_defaults=False
    )[0]
    simp = topics_from_config(
        [_entry(keywords={"人工智能": 2.0, "大模型": 3.0}, exclusions=["数字货币"])], include_defaults=False
    )[0]
    assert topics_hash(trad) == topics_hash(simp)


def test_hash_changes_when_matching_changes():
    a = topics_from_config([_entry()], include_defaults=False)[0]
    for change in ({"threshold": 0.3}, {"keywords": {"人工智能": 2.5, "大模型": 3.0}}, {"exclusions": ["x"]}):
        b = topics_from_config([_entry(**change)], include_defaults=False)[0]
        assert topics_hash(a) != topics_hash(b), change


def test_hash_is_hex_sha256_and_same_across_calls():
    h = [topics_hash(t) for t in default_topics()]
    assert h == [topics_hash(t) for t in default_topics()]
    assert all(len(x) == 64 and int(x, 16) >= 0 for x in h)
    assert len(set(h)) == 4


def test_topics_carry_an_english_name_and_description_beside_the_chinese_ones():
    import re

    for t in default_topics():  # the archive's Chinese pages show description, English ones the twin
        assert re.search(r"[\u4e00-\u9fff]", t.description) and not re.search(r"[A-Za-z]{3}", t.description)
        assert t.description_en and not re.search(r"[\u4e00-\u9fff]", t.description_en + t.name_en)
    [mine] = topics_from_config(
        [
            {
                "id": "ai",
                "name": "人工智能",
                "name_en": " AI policy ",
                "description_en": "AI rules",
                "keywords": ["人工智能"],
            }
        ],
        include_defaults=False,
    )
    assert (mine.name_en, mine.description_en, mine.description) == ("AI policy", "AI rules", "")
    renamed = topics_from_config(
        [{"id": "ai", "name": "AI", "keywords": ["人工智能"]}], include_defaults=False
    )
    assert topics_hash(renamed[0]) == topics_hash(mine)  # display texts never make matches stale
    with pytest.raises(TopicError, match=r"topics\[0\]\.description_en"):
        topics_from_config([{"id": "x", "keywords": ["数字"], "description_en": 3}], include_defaults=False)
