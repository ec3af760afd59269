"""story index: winnowing fingerprints replace per-segment MinHash signatures and LSH buckets

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 00:00:00
"""

import logging

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import utcnow

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
BACKFILL_KEY = "story_index_backfill"  # processor.stories.ensure_story_index reads it

_settings = sa.table(
    "settings",
    sa.column("key", sa.String(200)),
    sa.column("value", sa.JSON()),
    sa.column("updated_at", storage.types.UTCDateTime()),
)


def upgrade() -> None:
    op.create_table(
        "fingerprints",
        sa.Column("hash", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("hash", "article_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "fingerprint_counts",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("prints", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    with op.batch_alter_table("lsh_buckets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lsh_buckets_article_id"))
    op.drop_table("lsh_buckets")
    op.drop_table("article_signatures")
    # Only the tables: the fingerprints are the processor's (its normaliser maps traditional to
    # simplified through the classifier, which storage may not import), and a past migration must
    # not run whatever the fingerprinting is today. This row asks processor.stories.
    # ensure_story_index, which every newsradar command and the web run after migrating, to
    # fingerprint the articles stored so far, in batches with progress in the log.
    bind = op.get_bind()
    upto = bind.execute(sa.text("SELECT MAX(id) FROM articles")).scalar()
    if upto:
        bind.execute(
            _settings.delete().where(_settings.c.key == BACKFILL_KEY)
        )
        bind.execute(
            _settings.insert().values(
                key=BACKFILL_KEY, value={"after": 0, "upto": int(upto)}, updated_at=utcnow()
            )
        )
        log.info(
            "story index: fingerprint tables created; %d stored articles are fingerprinted on the"
            " next newsradar start",
            upto,
        )


def downgrade() -> None:
    # The old signatures cannot be rebuilt here: the tables come back empty, so copies of articles
    # stored before the downgrade start new stories.
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("shingles", sa.Integer(), nullable=False),
        sa.Column("segments", sa.LargeBinary(), nullable=False),
        sa.Column("minhash", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.create_table(
        "lsh_buckets",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key", "article_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("lsh_buckets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lsh_buckets_article_id"), ["article_id"], unique=False)
    op.execute(sa.text(f"DELETE FROM settings WHERE key = '{BACKFILL_KEY}'"))
    op.drop_table("fingerprint_counts")
    op.drop_table("fingerprints")
