"""The index follows the archive: built by the migration, updated in the ingest transaction; bad
queries get a message; crawled text reaches the HTML only escaped."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import insert

import search
from processor import ArticleData, Ingestor
from storage import Article, Database
from storage.db import alembic_config
from storage.types import utcnow
from tests.helpers import fresh_database_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path}/i.db" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    )
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


def ids(db, q, **kw) -> list[int]:
    with db.session() as s:
        return [h.article_id for h in search.search(s, q, **kw).hits]


def data(url: str, title: str, body: str) -> ArticleData:
    return ArticleData(source="gov", url=url, title=title, body_text=body, published_at=utcnow())


def test_an_updated_article_is_found_by_its_new_text_only(db):
    with db.session() as s:
        first = Ingestor().ingest(s, data("https://a/1", "央行通知", "人民银行发布数字人民币试点通知。"))
        Ingestor().ingest(s, data("https://a/2", "其他", "通州区召开会议。"))
    assert ids(db, "试点") == [first.article_id]
    with db.session() as s:
        again = Ingestor().ingest(s, data("https://a/1", "央行通知（更新）", "人民银行发布绿色金融指引。"))
    assert again.status == "updated" and again.article_id == first.article_id
    assert ids(db, "试点") == []
    assert ids(db, "绿色金融") == [first.article_id]
    assert ids(db, "更新") == [first.article_id]
    with db.session() as s:  # the same text again changes nothing
        Ingestor().ingest(s, data("https://a/1", "央行通知（更新）", "人民银行发布绿色金融指引。"))
    assert ids(db, "绿色金融") == [first.article_id]


def test_a_failed_ingest_leaves_no_index_entry(db):
    with db.session() as s:
        Ingestor().ingest(s, data("https://a/1", "副中心", "城市副中心规划。"), commit=False)
        s.rollback()
    assert ids(db, "副中心") == []


def test_the_existing_archive_is_indexed_after_the_migration(tmp_path):
    url = fresh_database_url(tmp_path, "old.db")
    db = Database(url)
    command.upgrade(alembic_config(url), "0004")
    with db.engine.begin() as conn:
        conn.execute(
            insert(Article),
            [
                {"source": "gov", "url": f"https://old/{n}", "canonical_url": f"https://old/{n}", "title": t,
                 "body_text": b, "content_hash": str(n), "fetched_at": utcnow(), "tags": []}
                for n, (t, b) in enumerate([("央行", "数字人民币试点扩大。"), ("通州", "副中心高质量发展。")])
            ],
        )  # fmt: skip
    db.migrate()  # creates the index tables only: a past migration never runs today's tokenizer
    assert ids(db, "人民币试") == []
    assert search.ensure_index(db) == 2 and search.ensure_index(db) == 0  # the step migration 0005 asks for
    assert len(ids(db, "人民币试")) == 1 and len(ids(db, "副中心高质")) == 1
    db.dispose()


def test_single_characters_and_mixed_script_terms(db):
    with db.session() as s:
        a = Ingestor().ingest(s, data("https://a/1", "规划", "2025年度目标：e-CNY试点，市。"))
        b = Ingestor().ingest(s, data("https://a/2", "其他", "新年2025计划。"))
    assert ids(db, "市") == [a.article_id]
    assert ids(db, "度") == [a.article_id]  # the last character of a run
    assert ids(db, "2025年") == [a.article_id]
    assert ids(db, "年2025") == [b.article_id]
    assert ids(db, "e-CNY试点") == [a.article_id]
    assert sorted(ids(db, "2025")) == sorted([a.article_id, b.article_id])
    assert ids(db, "cny") == [a.article_id] and ids(db, "cn") == []


@pytest.mark.parametrize(
    ("q", "says"),
    [
        ("", "Enter something"),
        ("   \u3000 ", "Enter something"),
        ("-央行 -通州", "Only exclusions"),
        ("，。！？", "no letters"),
        ("央" * 501, "at most 500"),
    ],
)
def test_bad_queries_raise_a_message_for_the_user(db, q, says):
    with db.session() as s, pytest.raises(search.QueryError, match=says):
        search.search(s, q)


def test_a_bad_cursor_is_a_query_error(db):
    with db.session() as s:
        for cursor in ("not base64!", "eDE", "o-1"):
            with pytest.raises(search.QueryError, match="cursor"):
                search.search(s, "央行", cursor=cursor)


def test_hostile_text_is_escaped_around_the_marks(db):
    title = '<script>window.__pwned=1</script>央行<img src=x onerror="alert(1)">'
    body = "前言" * 80 + '<a href="javascript:alert(1)">央行</a>&amp; 结尾'
    with db.session() as s:
        Ingestor().ingest(s, data("https://a/1", title, body))
        (hit,) = search.search(s, "央行").hits
    assert "<script" not in hit.title_html and "<img" not in hit.title_html and "<a " not in hit.snippet_html
    assert hit.title_html == (
        "&lt;script&gt;window.__pwned=1&lt;/script&gt;<mark>央行</mark>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    )
    assert (
        "&lt;a href=&quot;javascript:alert(1)&quot;&gt;<mark>央行</mark>&lt;/a&gt;&amp;amp;"
        in hit.snippet_html
    )
    assert hit.snippet_html.startswith("…")  # the window starts near the hit, not at the first char


def test_the_array_tokenizer_gives_the_same_tokens_as_the_plain_one():
    import json
    import random
    from pathlib import Path

    from classifier import normalise_fast
    from search import _tokens

    texts = []
    for path in sorted((Path(__file__).parent.parent / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            texts += [r["text"], (r.get("title") or "") * 10]
    rng = random.Random(1)
    alphabet = "央行通州ＣＢＤＣ abc_12３\u3000\n\t。，!é數字人民幣ー가–-\u200b\u00a0℃…"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(130, 400))) for _ in range(500)]
    arrays = 0
    for t in texts:
        norm, _, points = normalise_fast(t)
        plain = " ".join(_tokens._han_tokens(h) if h else w for h, w in _tokens._RUNS.findall(norm))
        assert _tokens.index_tokens(t) == plain, t[:80]
        arrays += points is not None
    assert arrays > len(texts) / 2  # the array path really ran
