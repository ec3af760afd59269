"""full-text search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL), built for the archive

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:00:00
"""

import logging

from alembic import op

from storage import fulltext

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    # Only the tables: the tokens are the search package's decision, and a past migration must not
    # run whatever the tokenizer is today. Articles stored before this revision are indexed by
    # search.ensure_index, which every newsradar command and the web run after migrating.
    fulltext.create_tables(op.get_bind())
    log.info("search index tables created; stored articles are indexed on the next newsradar start")


def downgrade() -> None:
    fulltext.drop_tables(op.get_bind())
