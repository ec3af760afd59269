"""watches: a subscriber follows a search query; which stories matched which watch

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:30:00
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subscriber_id"], ["subscribers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watches_subscriber_id"), ["subscriber_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_watches_updated_at"), ["updated_at"], unique=False)
    op.create_table(
        "watch_matches",
        sa.Column("watch_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("matched_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["watch_id"], ["watches.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("watch_id", "story_id"),
    )
    with op.batch_alter_table("watch_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_watch_matches_matched_at"), ["matched_at"], unique=False)
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("watches", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("watches")
    with op.batch_alter_table("watch_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watch_matches_matched_at"))
    op.drop_table("watch_matches")
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_watches_updated_at"))
        batch_op.drop_index(batch_op.f("ix_watches_subscriber_id"))
    op.drop_table("watches")
