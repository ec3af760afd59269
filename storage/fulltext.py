"""Full-text index tables and their query primitives, one implementation per dialect.

Storage keeps token strings and answers token queries; what a token is and how a user's query
becomes token phrases is decided by the ``search`` package above.

SQLite: an FTS5 table over pre-tokenised text (``ascii`` tokenizer: our tokens are split on
spaces and kept as they are), contentless so the text is not stored twice. SQLite before 3.43
cannot delete from a contentless table without the exact tokens it was given, so those are kept
compressed in ``search_docs``. PostgreSQL: one ``tsvector`` per article, built from the same
tokens with explicit positions (title weight A, body D), behind a GIN index: no extension and no
parser configuration involved, so both databases find the same articles.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Float, Integer, Select, and_, func, select, text
from sqlalchemy.orm import Session

from .models import Article, TopicMatch

__all__ = ["TABLES", "Phrase", "Row", "create_tables", "drop_tables", "find", "include_name", "store"]

#: Token phrase: (token, prefix) pairs that must stand at consecutive positions.
Phrase = Sequence[tuple[str, bool]]

#: Tables (and FTS5 shadow tables) kept outside the ORM models; Alembic comparisons skip them.
TABLES = ("search_fts", "search_docs", "search_index")

# PostgreSQL keeps positions up to 16,383 and at most 256 per lexeme (it drops the rest).
_PG_MAX_POS = 16383
_PG_MAX_PER_LEXEME = 256
_PG_BODY_GAP = 8  # title and body positions never touch, so no phrase spans both


def include_name(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic ``include_name`` hook: leave the search tables out of schema comparisons."""
    return not (type_ == "table" and name is not None and name.startswith(TABLES))


def create_tables(conn: Connection) -> None:
    """Create the index tables for this connection's dialect (called by the migration)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='', tokenize='ascii')"
        )
        conn.exec_driver_sql(
            "CREATE TABLE search_docs (article_id INTEGER PRIMARY KEY "
            "REFERENCES articles(id) ON DELETE CASCADE, tokens BLOB NOT NULL)"
        )
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


def _tsvector(title: str, body: str) -> str:
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


def store(session: Session, article_id: int, title: str, body: str) -> None:
    """Index (or re-index) one article from its title and body token strings."""
    if session.get_bind().dialect.name == "sqlite":
        _store_sqlite(session, article_id, title, body)
        return
    session.execute(
        text(
            "INSERT INTO search_index (article_id, doc) VALUES (:id, CAST(:doc AS tsvector)) "
            "ON CONFLICT (article_id) DO UPDATE SET doc = excluded.doc"
        ),
        {"id": article_id, "doc": _tsvector(title, body)},
    )


def _store_sqlite(session: Session, article_id: int, title: str, body: str) -> None:
    old = session.execute(
        text("SELECT tokens FROM search_docs WHERE article_id = :id"), {"id": article_id}
    ).scalar()
    if old is not None:
        old_title, _, old_body = zlib.decompress(old).decode().partition("\n")
        if (old_title, old_body) == (title, body):
            return
        session.execute(
            text("INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', :id, :t, :b)"),
            {"id": article_id, "t": old_title, "b": old_body},
        )
    session.execute(
        text("INSERT INTO search_fts (rowid, title, body) VALUES (:id, :t, :b)"),
        {"id": article_id, "t": title, "b": body},
    )
    session.execute(
        text("INSERT OR REPLACE INTO search_docs (article_id, tokens) VALUES (:id, :tok)"),
        {"id": article_id, "tok": zlib.compress(f"{title}\n{body}".encode(), 1)},
    )


# -- queries -------------------------------------------------------------------------------


def _fts5_phrase(phrase: Phrase) -> str:
    return " + ".join(f'"{tok}"' + ("*" if prefix else "") for tok, prefix in phrase)


def _fts5(positives: Sequence[Phrase], negatives: Sequence[Phrase]) -> str:
    expr = " AND ".join(f"({_fts5_phrase(p)})" for p in positives)
    if negatives:
        expr = f"({expr}) NOT ({' OR '.join(f'({_fts5_phrase(p)})' for p in negatives)})"
    return expr


def _ts_phrase(phrase: Phrase, weight: str = "") -> str:
    parts = []
    for tok, prefix in phrase:
        label = ("*" if prefix else "") + weight
        parts.append(f"'{tok}'" + (f":{label}" if label else ""))
    return "(" + " <-> ".join(parts) + ")"


def _tsquery(positives: Sequence[Phrase], negatives: Sequence[Phrase], weight: str = "") -> str:
    expr = " & ".join(_ts_phrase(p, weight) for p in positives)
    if negatives:
        expr = f"({expr}) & !({' | '.join(_ts_phrase(p) for p in negatives)})"
    return expr


@dataclass(frozen=True)
class Row:
    """One matching article: in_title when every positive phrase is in its title; higher score ranks first."""

    article_id: int
    in_title: bool
    score: float


def _matches(session: Session, positives: Sequence[Phrase], negatives: Sequence[Phrase], title_weight: float):
    """A subquery (id, in_title, score) of the articles that match, for this dialect."""
    if session.get_bind().dialect.name == "sqlite":
        sql = (
            "SELECT rowid AS id, rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :tq) "
            "AS in_title, -bm25(search_fts, :tw, 1.0) AS score FROM search_fts WHERE search_fts MATCH :q"
        )
        params = {
            "q": _fts5(positives, negatives),
            "tq": "{title} : (" + _fts5(positives, []) + ")",
            "tw": title_weight,
        }
    else:
        sql = (
            "SELECT article_id AS id, doc @@ CAST(:tq AS tsquery) AS in_title, "
            "ts_rank(CAST(:w AS float4[]), doc, CAST(:q AS tsquery), 1) AS score "
            "FROM search_index WHERE doc @@ CAST(:q AS tsquery)"
        )
        params = {
            "q": _tsquery(positives, negatives),
            "tq": _tsquery(positives, [], "A"),
            "w": f"{{0.1,0.1,0.1,{0.1 * title_weight}}}",  # weights of D, C, B, A (title)
        }
    stmt = text(sql).bindparams(**params).columns(id=Integer, in_title=Integer, score=Float)
    return stmt.subquery("m")


def find(
    session: Session,
    positives: Sequence[Phrase],
    negatives: Sequence[Phrase] = (),
    *,
    topic: str | None = None,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 20,
    offset: int = 0,
    title_weight: float = 3.0,
) -> tuple[list[Row], int]:
    """One page of matching articles, ranked: title matches first, then score, then the newest;
    and the number of matches in all. ``since`` is inclusive, ``until`` exclusive; an article
    without a publication date counts by when it was fetched."""
    m = _matches(session, positives, negatives, title_weight)
    when = func.coalesce(Article.published_at, Article.fetched_at)
    q: Select = select(m.c.id, m.c.in_title, m.c.score, func.count().over().label("total")).join(
        Article, Article.id == m.c.id
    )
    conds = []
    if source:
        conds.append(Article.source == source)
    if topic:
        conds.append(Article.id.in_(select(TopicMatch.article_id).where(TopicMatch.topic_id == topic)))
    if since is not None:
        conds.append(when >= since)
    if until is not None:
        conds.append(when < until)
    if conds:
        q = q.where(and_(*conds))
    q = q.order_by(m.c.in_title.desc(), m.c.score.desc(), when.desc(), Article.id.desc())
    result = session.execute(q.limit(limit).offset(offset)).all()
    total = result[0].total if result else (_count(session, q) if offset else 0)
    return [Row(r.id, bool(r.in_title), float(r.score)) for r in result], total


def _count(session: Session, q: Select) -> int:
    """Matches in all, for a page past the last one (the window count came back with no row)."""
    return session.execute(select(func.count()).select_from(q.order_by(None).subquery())).scalar_one()
