"""remove characters no feed, page or message may carry from stored articles

Non-characters (U+FFFE, U+FFFF, ...), lone surrogates, C0/C1 controls but tab and newline, and
the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): the crawler strips
them at extraction now (common.strip_unsafe); this cleans what was stored before. Like every
migration it imports nothing of ours, so it carries its own copy of the character class.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:00:00
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17)
)
_UNSAFE = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff{_NONCHARACTERS}]"
)
TABLES = {
    "articles": ("id", ["title", "summary", "body_text", "body_html", "origin", "author", "category"]),
    "article_revisions": ("id", ["title", "body_text"]),
    "policy_documents": ("article_id", ["doc_number", "issuer", "subject", "validity"]),
}
BATCH = 500


def _clean(bind: sa.engine.Connection, name: str, key: str, columns: list[str]) -> None:
    t = sa.table(name, sa.column(key), *(sa.column(c) for c in columns))
    last = None
    while True:
        query = sa.select(t).order_by(t.c[key]).limit(BATCH)
        rows = bind.execute(query if last is None else query.where(t.c[key] > last)).all()
        if not rows:
            return
        for row in rows:
            values = row._mapping
            changes = {
                c: _UNSAFE.sub("", values[c])
                for c in columns
                if isinstance(values[c], str) and _UNSAFE.search(values[c])
            }
            if changes:
                bind.execute(sa.update(t).where(t.c[key] == values[key]).values(**changes))
        last = rows[-1]._mapping[key]


def upgrade() -> None:
    bind = op.get_bind()
    for name, (key, columns) in TABLES.items():
        _clean(bind, name, key, columns)


def downgrade() -> None:
    """Nothing to restore: the removed characters carried no meaning."""
