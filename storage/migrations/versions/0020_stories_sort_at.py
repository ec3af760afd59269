"""stories.sort_at: the time a story is listed by, indexed

The home page lists stories newest first by coalesce(lead article's published_at, created_at), a
key over two tables that no index holds: every matched story was read and sorted for each page.
The key is now kept on the story (storage.stories sets it with the lead), filled here from the
stored leads in one UPDATE, and indexed with the id (the keyset cursor's tie-break).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 04:00:00
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("sort_at", UTCDateTime(), nullable=True))  # no table copy
    op.execute(
        "UPDATE stories SET sort_at = coalesce("
        "(SELECT min(a.published_at) FROM articles a WHERE a.story_id = stories.id), created_at)"
    )
    op.create_index("ix_stories_sort_at", "stories", ["sort_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_stories_sort_at", table_name="stories")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("sort_at")
