"""crawl runs name the crawler node and Scrapyd job that ran them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("node", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("job", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_crawl_runs_job", ["job"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_crawl_runs_job")
        batch_op.drop_column("job")
        batch_op.drop_column("node")
