"""per-topic counters (topic_days, topic_sources) and story_topics.sort_at, filled from the stories

A topic page counted its stories per day, its copies per source and its total, and sorted all its
stories for the newest ten, by reading every story of the topic: it grew slower with the topic.
story_topics now carries its story's sort_at, indexed after the topic (the newest ten are an
index read), and the counts are kept per topic (storage.topic_counts); storage.stories keeps both
in step with its writes. This fills them once from what is stored, with the same definitions: a
story counts on the Beijing day of its sort_at, every copy of a topic's story for its source.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 06:30:00
"""

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_days",
        sa.Column("topic_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("topic_id", "day"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "topic_sources",
        sa.Column("topic_id", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("topic_id", "source"),
        sqlite_with_rowid=False,
    )
    op.add_column("story_topics", sa.Column("sort_at", UTCDateTime(), nullable=True))  # no table copy
    op.execute(
        "UPDATE story_topics SET sort_at = (SELECT s.sort_at FROM stories s WHERE s.id = story_topics.story_id)"
    )
    op.create_index("ix_story_topics_topic_sort", "story_topics", ["topic_id", "sort_at", "story_id"])
    if op.get_bind().dialect.name == "sqlite":
        day = "date(s.sort_at, '+8 hours')"
    else:
        day = "date(s.sort_at + interval '8 hours')"
    op.execute(
        f"INSERT INTO topic_days (topic_id, day, stories) SELECT t.topic_id, {day}, count(*)"
        " FROM story_topics t JOIN stories s ON s.id = t.story_id WHERE s.sort_at IS NOT NULL"
        f" GROUP BY t.topic_id, {day}"
    )
    op.execute(
        "INSERT INTO topic_sources (topic_id, source, articles) SELECT t.topic_id, a.source, count(*)"
        " FROM story_topics t JOIN articles a ON a.story_id = t.story_id GROUP BY t.topic_id, a.source"
    )


def downgrade() -> None:
    op.drop_table("topic_sources")
    op.drop_table("topic_days")
    op.drop_index("ix_story_topics_topic_sort", table_name="story_topics")
    with op.batch_alter_table("story_topics") as batch:
        batch.drop_column("sort_at")
