"""article_retries: one index on (source, next_try_at) in place of the one on source

`status` counts each source's failed articles waiting for a retry and given up (next_try_at
NULL), each count a range of this index that stops at a cap; a crawl's due retries
(source, next_try_at <= now, oldest first) are a range of it too. The index on source alone
is its prefix, so it goes.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 06:30:00
"""

from alembic import op


revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_article_retries_source_next_try", "article_retries", ["source", "next_try_at"])
    op.drop_index("ix_article_retries_source", table_name="article_retries")


def downgrade() -> None:
    op.create_index("ix_article_retries_source", "article_retries", ["source"])
    op.drop_index("ix_article_retries_source_next_try", table_name="article_retries")
