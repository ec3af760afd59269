"""processor.watch_ops, what the web and the bot call: refusals in both languages as the watches
feature wrote them (no text split apart), and removal only by the watch's owner."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

import pytest

import search
from processor import watch_ops
from processor.watch_settings import WatchSettings
from processor.watches import WatchError
from storage import watches as store
from tests.notifiers.helpers import make_env
from tests.notifiers.helpers import subscribe as add


@pytest.fixture
def env(tmp_path):
    return make_env(tmp_path)


def _han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_a_refused_query_says_searchs_message_in_each_language(env):
    sub = add(env, [("console", "a")], [])
    with pytest.raises(search.QueryError) as searched:
        search.parse_query("-通州")
    with env.db.session() as s, pytest.raises(watch_ops.WatchProblem) as refused:
        watch_ops.add(s, sub, "-通州")
    assert refused.value.say("zh") == searched.value.zh and _han(searched.value.zh)
    assert refused.value.say("en") == searched.value.en and "exclusions" in searched.value.en


def test_the_limit_says_itself_in_each_language(env):
    sub = add(env, [("console", "a")], [])
    config = SimpleNamespace(sections={"watches": WatchSettings(max_per_subscriber=1)})  # a loaded config
    with env.db.session() as s:
        watch_ops.add(s, sub, "央行", config=config)
        with pytest.raises(watch_ops.WatchProblem) as refused:
            watch_ops.add(s, sub, "通州", config=config)
    zh, en = refused.value.say("zh"), refused.value.say("en")
    assert "上限" in zh and " / " not in zh and en.startswith(f"Subscriber {sub} already has 1 watches")
    assert not _han(en)


def test_errors_keep_both_languages_through_pickling():
    for exc in (search.QueryError("中文", "English"), WatchError("English", zh="中文"), WatchError("only")):
        back = pickle.loads(pickle.dumps(exc))
        assert (str(back), back.zh, back.en) == (str(exc), exc.zh, exc.en)
    limit = pickle.loads(pickle.dumps(WatchError("full", zh="满", kind="limit")))
    assert (limit.kind, limit.zh) == ("limit", "满")


def test_only_the_owner_removes_a_watch(env):
    owner = add(env, [("console", "a")], [])
    other = add(env, [("console", "b")], [])
    with env.db.session() as s:
        wid = watch_ops.add(s, owner, "央行")
        s.commit()
        assert watch_ops.remove(s, other, wid) is False and store.get_watch(s, wid) is not None
        with pytest.raises(watch_ops.WatchProblem):
            watch_ops.owned(s, other, wid)
        assert watch_ops.remove(s, owner, wid) is True and store.get_watch(s, wid) is None
        assert watch_ops.remove(s, None, wid) is False  # gone already
