"""The full-text index's tables and its writes, one implementation per dialect.

SQLite: an FTS5 table over pre-tokenised text (``ascii`` tokenizer: our tokens are split on spaces
and kept as they are), contentless so the text is not stored twice. The body is its first column:
FTS5 spells out the column of every entry outside column 0, two bytes per token and article
(5.8 KB of index per ~1,300-character article with the title first, 4.1 KB with the body first).

SQLite before 3.43 deletes from a contentless table only given the exact tokens it was given. They
are not kept: ``search_docs`` holds a 64-bit digest of them, and re-indexing an edit is handed the
tokens of the article's earlier texts (its revisions) to find the ones the digest names. The
index stays ~4 KB per article where a compressed copy of the tokens cost another 4 KB.

PostgreSQL: one ``tsvector`` per article, built from the same tokens with explicit positions
(title weight A, body D), behind a GIN index: no extension and no parser configuration involved,
so both databases find the same articles.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

__all__ = [
    "TABLES",
    "Previous",
    "create_tables",
    "digest",
    "drop_tables",
    "include_name",
    "index_missing",
    "store",
]

log = logging.getLogger(__name__)

#: Tables (and FTS5 shadow tables) kept outside the ORM models; Alembic comparisons skip them.
TABLES = ("search_fts", "search_docs", "search_index")

#: Earlier token strings an article may be indexed under, (title, body), newest first: asked for
#: only when an indexed article is re-indexed with other tokens (SQLite must delete the old ones).
Previous = Callable[[], Iterable[tuple[str, str]]]

# PostgreSQL keeps positions up to 16,383 and at most 256 per lexeme (it drops the rest).
_PG_MAX_POS = 16383
_PG_MAX_PER_LEXEME = 256
_PG_BODY_GAP = 8  # title and body positions never touch, so no phrase spans both

#: The SQLite index's shape (migration 0014 creates it; 0005 created the older one).
FTS_DDL = "CREATE VIRTUAL TABLE search_fts USING fts5(body, title, content='', tokenize='ascii')"
DOCS_DDL = (
    "CREATE TABLE search_docs (article_id INTEGER PRIMARY KEY "
    "REFERENCES articles(id) ON DELETE CASCADE, digest INTEGER NOT NULL)"
)


def include_name(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic ``include_name`` hook: leave the search tables out of schema comparisons."""
    return not (type_ == "table" and name is not None and name.startswith(TABLES))


def create_tables(conn: Connection) -> None:
    """Create the index tables for this connection's dialect (today's shape)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(FTS_DDL)
        conn.exec_driver_sql(DOCS_DDL)
    else:
        conn.exec_driver_sql(
            "CREATE TABLE search_index (article_id INTEGER PRIMARY KEY "
            "REFERENCES articles(id) ON DELETE CASCADE, doc tsvector NOT NULL)"
        )
        conn.exec_driver_sql("CREATE INDEX ix_search_index_doc ON search_index USING gin (doc)")


def drop_tables(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TABLE IF EXISTS search_fts")
        conn.exec_driver_sql("DROP TABLE IF EXISTS search_docs")
    else:
        conn.exec_driver_sql("DROP TABLE IF EXISTS search_index")


def index_missing(session: Session) -> bool:
    """Articles are stored but none is indexed: an archive from before the index (migration 0005
    creates the tables; search.ensure_index fills them with the search package's tokens)."""
    table = "search_docs" if session.get_bind().dialect.name == "sqlite" else "search_index"
    return bool(
        session.execute(
            text(f"SELECT EXISTS (SELECT 1 FROM articles) AND NOT EXISTS (SELECT 1 FROM {table})")
        ).scalar()
    )


def digest(title: str, body: str) -> int:
    """64-bit digest of an article's token strings (a signed integer, as SQLite stores it)."""
    h = hashlib.blake2b(title.encode(), digest_size=8)
    h.update(b"\n")
    h.update(body.encode())
    return int.from_bytes(h.digest(), "big", signed=True)


def tsvector(title: str, body: str) -> str:
    """A tsvector literal with explicit positions: the tokens reach the index exactly as given."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for tokens, weight in ((title, "A"), (body, "")):
        for tok in tokens.split():
            pos += 1
            have = positions.setdefault(tok, [])
            if len(have) < _PG_MAX_PER_LEXEME:
                have.append(f"{min(pos, _PG_MAX_POS)}{weight}")
        pos += _PG_BODY_GAP
    return " ".join(f"'{tok}':{','.join(p)}" for tok, p in positions.items())


PG_UPSERT = text(
    "INSERT INTO search_index (article_id, doc) VALUES (:id, CAST(:doc AS tsvector)) "
    "ON CONFLICT (article_id) DO UPDATE SET doc = excluded.doc"
)
FTS_INSERT = text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :t, :b)")
DOCS_PUT = text("INSERT OR REPLACE INTO search_docs (article_id, digest) VALUES (:id, :d)")
_DOCS_GET = text("SELECT digest FROM search_docs WHERE article_id = :id")
_FTS_DELETE = text("INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', :id, :t, :b)")


def store(
    session: Session,
    article_id: int,
    title: str,
    body: str,
    *,
    new: bool = False,
    previous: Previous | None = None,
) -> None:
    """Index (or re-index) one article from its title and body token strings.

    ``new``: the article has never been indexed (just inserted), so there is no old entry to
    look up and replace; ingest says so to save a query per article. ``previous``: the token
    strings of its earlier texts, for SQLite to delete the old entry (see the module's note).
    """
    # The connection, not the session: these tables are no ORM model's, so nothing needs flushing
    # first, and the session's execute costs twice the statement here.
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        conn.execute(PG_UPSERT, {"id": article_id, "doc": tsvector(title, body)})
        return
    now = digest(title, body)
    old = None if new else conn.execute(_DOCS_GET, {"id": article_id}).scalar()
    if old == now:
        return
    if old is not None:
        gone = next((p for p in (previous() if previous else ()) if digest(*p) == old), None)
        if gone is None:
            # The new entry still goes in: FTS5 reads the newest entry of a token and article, so
            # only words the old text had and the new one lacks stay findable.
            log.error(
                "search index: article %d was indexed from a text none of its stored revisions "
                "gives; words of that text stay findable until the index is rebuilt",
                article_id,
            )
        else:
            conn.execute(_FTS_DELETE, {"id": article_id, "t": gone[0], "b": gone[1]})
    conn.execute(FTS_INSERT, {"id": article_id, "t": title, "b": body})
    conn.execute(DOCS_PUT, {"id": article_id, "d": now})
