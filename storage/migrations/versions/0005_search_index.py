"""full-text search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL), built for the archive

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:00:00
"""

import logging

from alembic import op
from sqlalchemy.orm import Session

from storage import fulltext

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    conn = op.get_bind()
    fulltext.create_tables(conn)
    # The tokens are the search package's decision; it builds the index for articles already stored.
    from search import rebuild_index

    session = Session(bind=conn)
    n = rebuild_index(session, lambda done, total: log.info("search index: %d/%d articles", done, total))
    session.flush()
    session.close()
    if n:
        log.info("search index built for %d articles", n)


def downgrade() -> None:
    fulltext.drop_tables(op.get_bind())
