"""article retries: failed article pages retried with backoff whatever their list pages do

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:00:00
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_retries",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("stamp", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("first_failed_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("next_try_at", storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("url"),
    )
    with op.batch_alter_table("article_retries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_retries_next_try_at"), ["next_try_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_retries_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("article_retries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_retries_source"))
        batch_op.drop_index(batch_op.f("ix_article_retries_next_try_at"))
    op.drop_table("article_retries")
