"""Migration 0014 moves an archive indexed at 0011 (FTS5 title first, a compressed token copy per
article) to the smaller index (body first, a digest per article) without tokenising again, and an
edit stored afterwards replaces the old entry: found by its new words only, the index intact."""

from __future__ import annotations

import zlib

from alembic import command
from sqlalchemy import text

from processor import ArticleData, Ingestor
from search import index_tokens, search
from storage import Article, Database
from storage.db import alembic_config

TEXTS = {
    "a": ("央行发布数字人民币试点报告", "中国人民银行今日发布报告，数字人民币试点范围继续扩大。"),
    "b": ("通州城市副中心建设提速", "北京城市副中心通州区今年将新开工一批重点项目。"),
}


def _archive_at_0011(url: str) -> Database:
    """Articles indexed the way 0005..0011 stored them."""
    db = Database(url)
    db.migrate()
    command.downgrade(alembic_config(url), "0011")
    with db.session() as s:
        for key, (title, body) in TEXTS.items():
            s.add(Article(source="s", url=f"https://x/{key}", canonical_url=f"https://x/{key}", title=title,
                          body_text=body, content_hash=key))  # fmt: skip
        s.flush()
        for a in s.query(Article).all():
            t, b = index_tokens(a.title), index_tokens(a.body_text)
            s.execute(
                text("INSERT INTO search_fts (rowid, title, body) VALUES (:i, :t, :b)"),
                {"i": a.id, "t": t, "b": b},
            )
            s.execute(text("INSERT INTO search_docs (article_id, tokens) VALUES (:i, :z)"),
                      {"i": a.id, "z": zlib.compress(f"{t}\n{b}".encode())})  # fmt: skip
        s.commit()
    return db


def _found(db: Database, q: str) -> set[str]:
    with db.session() as s:
        return {h.url.rsplit("/", 1)[1] for h in search(s, q).hits}


def test_0014_moves_an_indexed_archive_and_edits_replace_their_old_entry(tmp_path):
    db = _archive_at_0011(f"sqlite:///{tmp_path}/m.db")
    assert _found(db, "央行") == {"a"} and _found(db, "副中心") == {"b"}  # the 0011 index answers
    db.migrate()
    assert db.is_current()
    with db.engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(search_docs)"))]
        assert columns == ["article_id", "digest"]  # no token copy left
        assert conn.execute(text("SELECT count(*) FROM search_docs")).scalar() == 2
    assert _found(db, "央行") == {"a"} and _found(db, "副中心") == {"b"}
    assert _found(db, '"数字人民币 试点"') == {"a"} and _found(db, "通州 -央行") == {"b"}
    with db.session() as s:  # the edit: article a now tells b's story
        result = Ingestor().ingest(s, ArticleData(source="s", url="https://x/a", title="通州新项目开工",
                                                  body_text="城市副中心通州区新开工一批项目。"))  # fmt: skip
        assert result.status == "updated"
    assert _found(db, "央行") == set() and _found(db, "数字人民币") == set()
    assert _found(db, "副中心") == {"a", "b"}
    with db.engine.begin() as conn:  # FTS5 checks its index against itself: no stale entry
        conn.execute(text("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 0)"))
    db.dispose()
