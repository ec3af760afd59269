"""Copy a whole archive from one database to another (SQLite to PostgreSQL when a desk outgrows one file).

Every table of the schema is copied row for row, primary keys kept, in dependency order, in
batches, inside one transaction on the target: a failed copy leaves the target as it was (empty),
so it can simply be run again. The source is read in one transaction too, so a daemon still
writing to it cannot tear the copy (SQLite WAL and PostgreSQL both give a snapshot).

Nothing that can be copied is rebuilt: SQLite to SQLite carries the FTS5 index's own tables as
they are, PostgreSQL to PostgreSQL the tsvectors. SQLite keeps no copy of its tokens, so SQLite to
PostgreSQL tokenises the articles again with the ``tokens`` function the caller passes (the search
package's; without one the target's index is left empty, to be built at its first start).
PostgreSQL sequences are moved past the copied keys afterwards, so the next article, story or
delivery gets a fresh id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import JSON, Connection, Table, bindparam, func, insert, inspect, select, text, update
from sqlalchemy.schema import sort_tables_and_constraints

from . import fulltext, fulltext_index
from .db import Database, DatabaseError
from .models import Base

__all__ = ["Progress", "copy_database"]

#: progress(table, rows copied so far, rows in the table)
Progress = Callable[[str, int, int], None]

_KEEP_OUT = ("alembic_version",)

log = logging.getLogger(__name__)


def _plan() -> tuple[list[Table], dict[str, list[str]]]:
    """Tables in dependency order, and the columns of foreign keys that close a cycle (stories'
    lead article): those are written NULL first and set once every table is in."""
    order: list[Table] = []
    deferred: dict[str, list[str]] = {}
    for table, late in sort_tables_and_constraints(Base.metadata.sorted_tables):
        if table is not None:
            order.append(table)
            continue
        for fk in late:  # the last entry: constraints that close a cycle
            deferred.setdefault(fk.table.name, []).extend(c.name for c in fk.columns)
    for table in order:  # use_alter keys are handed back with their own table, not as leftovers
        for fk in table.foreign_key_constraints:
            if fk.use_alter and fk.name:
                deferred.setdefault(table.name, []).extend(c.name for c in fk.columns)
    return order, {t: sorted(set(cols)) for t, cols in deferred.items()}


def _is_search(name: str) -> bool:
    return name.startswith(fulltext.TABLES)


def _check_source(conn: Connection, order: list[Table]) -> None:
    """Refuse a source holding tables this version does not know: nothing is left out silently."""
    known = {t.name for t in order}
    unknown = sorted(
        n
        for n in inspect(conn).get_table_names()
        if n not in known and n not in _KEEP_OUT and not _is_search(n)
    )
    if unknown:
        raise DatabaseError(
            f"the source database has tables this newsradar does not know ({', '.join(unknown)}); "
            "upgrade newsradar to the version that wrote them, then copy"
        )


def _check_empty(conn: Connection, url: str) -> None:  # url: shown, its password hidden
    """Refuse a target that holds any row of ours (migrating it first could change its data)."""
    known = {t.name for t in Base.metadata.sorted_tables} | {"search_docs", "search_index"}
    for name in inspect(conn).get_table_names():
        if name in known and conn.scalar(select(func.count()).select_from(text(f'"{name}"'))):
            raise DatabaseError(
                f"{url} is not empty (table {name} has rows): copy only into a new, empty database"
            )


def _insert(table: Table, columns: list[str]) -> Any:
    """INSERT with one bind per column; JSON columns keep SQL NULL as NULL (not JSON 'null')."""

    def bind(col) -> Any:
        type_ = JSON(none_as_null=True) if isinstance(col.type, JSON) else col.type
        return bindparam(col.name, type_=type_)

    return insert(table).values({c: bind(table.c[c]) for c in columns})


def _batches(conn: Connection, stmt: Any, size: int) -> Iterator[list[dict[str, Any]]]:
    result = conn.execution_options(stream_results=True, yield_per=size).execute(stmt)
    for part in result.mappings().partitions(size):
        yield [dict(row) for row in part]


def _copy_table(
    src: Connection, dst: Connection, table: Table, late: list[str], size: int, progress: Progress
) -> int:
    total = src.scalar(select(func.count()).select_from(table)) or 0
    done = 0
    columns = [c.name for c in table.columns]
    stmt = _insert(table, columns)
    progress(table.name, 0, total)
    for rows in _batches(src, select(table).order_by(*table.primary_key.columns), size):
        for row in rows:
            for name in late:
                row[name] = None
        dst.execute(stmt, rows)
        done += len(rows)
        progress(table.name, done, total)
    return done


def _fill_late(src: Connection, dst: Connection, table: Table, late: list[str], size: int) -> None:
    """Set the cycle-closing foreign keys now that the rows they point to exist."""
    pk = list(table.primary_key.columns)
    keys = {c.name: f"_k_{c.name}" for c in pk}
    stmt = (
        update(table)
        .where(*(c == bindparam(keys[c.name]) for c in pk))
        .values({n: bindparam(n) for n in late})
    )
    query = select(*pk, *(table.c[n] for n in late)).order_by(*pk)
    for rows in _batches(src, query, size):
        params = [{**{keys[k]: r[k] for k in keys}, **{n: r[n] for n in late}} for r in rows]
        params = [p for p in params if any(p[n] is not None for n in late)]
        if params:
            dst.execute(stmt, params)


#: The SQLite index's tables, copied as they are (FTS5 keeps its whole index in its shadow tables).
_SQLITE_INDEX = (
    "search_fts_data",
    "search_fts_idx",
    "search_fts_docsize",
    "search_fts_config",
    "search_docs",
)


def _copy_sqlite_index(src: Connection, dst: Connection, size: int) -> None:
    for name in _SQLITE_INDEX:
        dst.execute(text(f"DELETE FROM {name}"))  # a fresh FTS5 table holds its structure rows
        for rows in _batches(src, text(f"SELECT * FROM {name}"), size):
            cols = list(rows[0].keys())
            stmt = text(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})")
            dst.execute(stmt, [dict(r) for r in rows])


def _tokenised(src: Connection, size: int, tokens: Callable[[str], str]) -> Iterator[list[dict]]:
    """tsvector rows for every article, tokenised from its stored text."""
    query = text("SELECT id, title, body_text FROM articles ORDER BY id")
    for rows in _batches(src, query, size):
        yield [
            {
                "id": r["id"],
                "doc": fulltext_index.tsvector(tokens(r["title"] or ""), tokens(r["body_text"] or "")),
            }
            for r in rows
        ]


def _copy_search(
    src: Connection, dst: Connection, size: int, progress: Progress, tokens: Callable[[str], str] | None
) -> int:
    name = "search_docs" if src.dialect.name == "sqlite" else "search_index"
    total = src.scalar(text(f"SELECT count(*) FROM {name}")) or 0
    progress("search index", 0, total)
    if dst.dialect.name == "sqlite":
        _copy_sqlite_index(src, dst, size)
        progress("search index", total, total)
        return total
    if src.dialect.name == "sqlite" and tokens is None:
        log.warning("search index not copied (no tokenizer given): the target builds it at its first start")
        return 0
    if src.dialect.name == "sqlite":
        batches: Iterator[list[dict]] = _tokenised(src, size, tokens)  # type: ignore[arg-type]
    else:
        query = text(
            "SELECT article_id AS id, CAST(doc AS text) AS doc FROM search_index ORDER BY article_id"
        )
        batches = ([dict(r) for r in rows] for rows in _batches(src, query, size))
    done = 0
    for rows in batches:
        dst.execute(fulltext_index.PG_UPSERT, rows)
        done += len(rows)
        progress("search index", done, total)
    return done


def _reset_sequences(dst: Connection, order: list[Table]) -> None:
    """PostgreSQL: each serial key's sequence continues after the largest copied key."""
    if dst.dialect.name != "postgresql":
        return  # SQLite hands out max(rowid) + 1 by itself
    for table in order:
        for col in table.primary_key.columns:
            seq = dst.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": col.name})
            if seq:
                dst.execute(
                    text(f'SELECT setval(:s, COALESCE(MAX("{col.name}"), 1), MAX("{col.name}") IS NOT NULL) '
                         f'FROM "{table.name}"'),
                    {"s": seq},
                )  # fmt: skip


def copy_database(
    source: Database,
    target: Database,
    *,
    batch: int = 1000,
    progress: Progress | None = None,
    tokens: Callable[[str], str] | None = None,
) -> dict[str, int]:
    """Copy every table of `source` (at the newest schema) into the empty `target`, which is
    migrated to the newest schema first; returns rows copied per table (plus "search index").
    ``tokens``: the index tokens of a text (``search.index_tokens``), for SQLite to PostgreSQL.

    Raises DatabaseError, before writing anything, when the target holds data, is the source, or
    is SQLite while the source is PostgreSQL (a tsvector cannot become SQLite's index tokens), and
    when the source holds a table this version does not know (it would be left behind).
    """
    report = progress or (lambda _t, _d, _n: None)
    if source.engine.url == target.engine.url:
        raise DatabaseError("the target is the source database: name another database to copy to")
    if target.is_sqlite and not source.is_sqlite:
        raise DatabaseError(
            "copying from PostgreSQL to SQLite is not supported (the search index cannot be carried "
            "back); use pg_dump for a PostgreSQL backup"
        )
    if not source.is_current():
        raise DatabaseError(
            "the source database is not at the newest schema: run `newsradar init` on it first"
        )
    order, deferred = _plan()
    shown = target.engine.url.render_as_string(hide_password=True)
    with source.engine.connect() as conn:
        _check_source(conn, order)
    with target.engine.connect() as conn:
        _check_empty(conn, shown)
    target.migrate()
    copied: dict[str, int] = {}
    with source.engine.connect() as src, src.begin(), target.engine.begin() as dst:
        _check_empty(dst, shown)
        for table in order:
            copied[table.name] = _copy_table(src, dst, table, deferred.get(table.name, []), batch, report)
        for name, late in deferred.items():
            _fill_late(src, dst, Base.metadata.tables[name], late, batch)
        copied["search index"] = _copy_search(src, dst, batch, report, tokens)
        _reset_sequences(dst, order)
    return copied
