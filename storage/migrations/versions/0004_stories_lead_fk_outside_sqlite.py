"""stories.lead_article_id foreign key outside SQLite

0001 declares it with use_alter (stories and articles refer to each other); SQLite renders that
inline, but on PostgreSQL create_table leaves it out and expects a later ALTER, which this is.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:05:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key("fk_stories_lead_article", "stories", "articles", ["lead_article_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_stories_lead_article", "stories", type_="foreignkey")
