"""per-source indexes on articles: (source, fetched_at) and (source, published_at)

status and the health verdict count each source's articles, read its newest fetch time and its
publication times since a day; with these the reads stay in the index (on SQLite fetched_at sits
after the body, so without them every article's overflow pages were read).

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-07 03:40:00
"""

from alembic import op


revision = "0019"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_source_fetched", "articles", ["source", "fetched_at"])
    op.create_index("ix_articles_source_published", "articles", ["source", "published_at"])


def downgrade() -> None:
    op.drop_index("ix_articles_source_published", table_name="articles")
    op.drop_index("ix_articles_source_fetched", table_name="articles")
