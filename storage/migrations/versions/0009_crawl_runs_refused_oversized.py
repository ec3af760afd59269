"""crawl runs count requests refused (private addresses) and pages over max_page_size

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refused", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("oversized", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("oversized")
        batch_op.drop_column("refused")
