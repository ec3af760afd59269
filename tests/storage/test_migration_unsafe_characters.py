"""Migration 0010 cleans archives stored before the crawler stripped non-characters and bidi
controls (issue 23, defect 4), and leaves every other character as it was."""

from __future__ import annotations

from alembic import command

from storage import Article, Database
from storage.db import alembic_config
from tests.helpers import fresh_database_url

DIRTY = "数字\ufffe人民币\uffff \u202e试点\u2066扩容\u2069\U0010ffff\x0b é😀\t\n"


def test_0010_removes_unsafe_characters_from_stored_articles(tmp_path):
    url = fresh_database_url(tmp_path, "m.db")
    db = Database(url)
    db.migrate()
    command.downgrade(alembic_config(url), "0009")  # as an archive from before 0010
    with db.session() as s:
        for n in range(3):
            s.add(Article(source="s", url=f"https://x/{n}", canonical_url=f"https://x/{n}", title=DIRTY,
                          body_text=DIRTY * 2, body_html=f"<p>{DIRTY}</p>", author="a\u202eb", content_hash="h"))  # fmt: skip
        s.add(
            Article(
                source="s",
                url="https://x/ok",
                canonical_url="https://x/ok",
                title="干净 é😀",
                content_hash="h",
            )
        )
        s.commit()
    db.migrate()
    assert db.is_current()
    with db.session() as s:
        rows = s.query(Article).order_by(Article.id).all()
    want = "数字人民币 试点扩容 é😀\t\n"
    assert [(a.title, a.body_text, a.body_html, a.author) for a in rows[:3]] == [
        (want, want * 2, f"<p>{want}</p>", "ab")
    ] * 3
    assert rows[3].title == "干净 é😀"
