"""Ingestor.ingest_many (the ingest worker's batches) stores exactly what ingest() one by one does:
it reads once per batch which URLs are stored, the watches and the followed topics, so a URL met
twice in a batch, a topic nobody follows and a watch must still come out the same."""

from __future__ import annotations

import dataclasses

from sqlalchemy import text

from processor import Ingestor
from storage.watches import add_watch
from tests.notifiers.helpers import article, make_env, subscribe

_TABLES = {
    "articles": "SELECT url, title, content_hash, list_stamp, story_id, tier FROM articles ORDER BY url",
    "matches": "SELECT a.url, m.topic_id, m.score, m.evidence FROM topic_matches m"
    " JOIN articles a ON a.id = m.article_id ORDER BY a.url, m.topic_id",
    "policies": "SELECT a.url, p.doc_number, p.written_date, p.attachments FROM policy_documents p"
    " JOIN articles a ON a.id = p.article_id ORDER BY a.url",
    "story_topics": "SELECT story_id, topic_id FROM story_topics ORDER BY story_id, topic_id",
    "deliveries": "SELECT subscriber_id, story_id, channel_id, topics, watches FROM deliveries"
    " ORDER BY subscriber_id, story_id, channel_id",
    "watch_matches": "SELECT watch_id, story_id FROM watch_matches ORDER BY watch_id, story_id",
    "revisions": "SELECT a.url, r.title FROM article_revisions r JOIN articles a ON a.id = r.article_id",
}
_INDEXED = {"sqlite": "SELECT count(*) FROM search_docs", "postgresql": "SELECT count(*) FROM search_index"}


def _world(path):
    path.mkdir()
    env = make_env(path)
    subscribe(env, [("console", "fin")], ["fintech"])  # digital_currency: followed by nobody
    watcher = subscribe(env, [("console", "watch")], ["sub_center"])
    with env.db.session() as s:
        add_watch(s, watcher, "副中心")
        s.commit()
    return env


def _items():
    policy = {"doc_number": "京政发〔2026〕1号", "written_date": "2026-05-01", "issuer": "市政府"}
    first = dataclasses.replace(article(1, "fintech"), policy=policy, list_stamp="a")
    changed = dataclasses.replace(article(1, "fintech", title="第1号 修订"), policy=policy)
    return [
        first,
        article(2, "digital_currency"),
        article(3, "sub_center"),
        changed,  # the same URL again in the batch: stored by the first, so an update
        dataclasses.replace(changed, list_stamp="b"),  # unchanged, with a new list stamp
        article(4, "fintech", body=article(1, "fintech").body_text),  # a copy: joins story 1
    ]


def _dump(env) -> dict[str, list]:
    with env.db.session() as s:
        tables = {**_TABLES, "indexed": _INDEXED[s.get_bind().dialect.name]}
        return {name: [tuple(r) for r in s.execute(text(sql))] for name, sql in tables.items()}


def test_batch_stores_what_one_by_one_stores(tmp_path):
    one, many = _world(tmp_path / "one"), _world(tmp_path / "many")
    with one.db.session() as s:
        ingestor = Ingestor(one.ctx().matcher())
        singles = [ingestor.ingest(s, item) for item in _items()]
    with many.db.session() as s:
        batched = Ingestor(many.ctx().matcher()).ingest_many(s, _items())
        s.commit()

    assert [r.status for r in singles] == ["new", "new", "new", "updated", "unchanged", "new"]
    assert [dataclasses.astuple(r) for r in batched] == [dataclasses.astuple(r) for r in singles]
    stored = _dump(one)
    assert _dump(many) == stored
    assert stored["policies"] and stored["deliveries"] and stored["watch_matches"]
    assert stored["revisions"] == [("https://example.gov.cn/fintech/1.html", "第1号 fintech 新闻")]
    assert not any("digital_currency" in (topics or []) for *_, topics, _ in stored["deliveries"])
