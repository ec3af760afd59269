"""source_totals: articles stored per source, filled from the articles

`status`, /sources and the sources API counted each source's articles by reading the whole
articles index; storage.articles now keeps a row per source (storage.source_totals).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_totals",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO source_totals (source, articles) SELECT source, count(*) FROM articles GROUP BY source"
    )


def downgrade() -> None:
    op.drop_table("source_totals")
