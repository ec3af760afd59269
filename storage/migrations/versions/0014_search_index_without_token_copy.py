"""SQLite's search index without the compressed token copy: body first, a digest per article

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-06 23:50:00

The FTS5 table is rebuilt with the body as its first column (4.1 KB per ~1,300-character article
instead of 5.8 KB) from the tokens ``search_docs`` kept, and ``search_docs`` keeps only a 64-bit
digest of them (storage.fulltext_index explains why that is enough to re-index an edit). No text
is tokenised again: the stored tokens are moved as they are. PostgreSQL's index is unchanged.
The file keeps the freed pages until ``VACUUM`` (run by hand; it cannot run inside a migration).
"""

import logging
import zlib

from alembic import op

from storage import fulltext_index

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

_BATCH = 2000
_NEW_FTS = "CREATE VIRTUAL TABLE search_fts USING fts5(body, title, content='', tokenize='ascii')"
_OLD_FTS = "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='', tokenize='ascii')"
_REFS = "REFERENCES articles(id) ON DELETE CASCADE"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("DROP TABLE search_fts")
    conn.exec_driver_sql(_NEW_FTS)
    conn.exec_driver_sql("ALTER TABLE search_docs RENAME TO search_docs_0005")
    conn.exec_driver_sql(f"CREATE TABLE search_docs (article_id INTEGER PRIMARY KEY {_REFS}, digest INTEGER NOT NULL)")
    last, moved = -1, 0
    while True:
        rows = conn.exec_driver_sql(
            "SELECT article_id, tokens FROM search_docs_0005 WHERE article_id > ? ORDER BY article_id LIMIT ?",
            (last, _BATCH),
        ).fetchall()
        if not rows:
            break
        docs = [(i, *zlib.decompress(blob).decode().partition("\n")[::2]) for i, blob in rows]
        conn.exec_driver_sql("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)", docs)
        conn.exec_driver_sql(
            "INSERT INTO search_docs (article_id, digest) VALUES (?, ?)",
            [(i, fulltext_index.digest(t, b)) for i, t, b in docs],
        )
        last, moved = rows[-1][0], moved + len(rows)
        log.info("search index: %d articles moved", moved)
    conn.exec_driver_sql("DROP TABLE search_docs_0005")


def downgrade() -> None:
    # The old shape needs the tokens, which only the search package makes: the tables come back
    # empty and search.ensure_index fills them at the next start.
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("DROP TABLE search_fts")
    conn.exec_driver_sql("DROP TABLE search_docs")
    conn.exec_driver_sql(_OLD_FTS)
    conn.exec_driver_sql(f"CREATE TABLE search_docs (article_id INTEGER PRIMARY KEY {_REFS}, tokens BLOB NOT NULL)")
