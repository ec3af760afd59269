"""full-text search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL), built for the archive

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:00:00
"""

import logging

from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    # Only the tables: the tokens are the search package's decision, and a past migration must not
    # run whatever the tokenizer is today. Articles stored before this revision are indexed by
    # search.ensure_index, which every newsradar command and the web run after migrating.
    # The tables as they were made here (migration 0014 reshapes SQLite's), frozen in this file.
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='', tokenize='ascii')"
        )
        conn.exec_driver_sql(
            "CREATE TABLE search_docs (article_id INTEGER PRIMARY KEY "
            "REFERENCES articles(id) ON DELETE CASCADE, tokens BLOB NOT NULL)"
        )
    else:
        conn.exec_driver_sql(
            "CREATE TABLE search_index (article_id INTEGER PRIMARY KEY "
            "REFERENCES articles(id) ON DELETE CASCADE, doc tsvector NOT NULL)"
        )
        conn.exec_driver_sql("CREATE INDEX ix_search_index_doc ON search_index USING gin (doc)")
    log.info("search index tables created; stored articles are indexed on the next newsradar start")


def downgrade() -> None:
    conn = op.get_bind()
    for name in ("search_fts", "search_docs") if conn.dialect.name == "sqlite" else ("search_index",):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
