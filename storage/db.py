"""Engine, sessions and migrations: one place decides how we talk to SQLite or PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["DatabaseError", "Database", "alembic_config", "head_revision", "raw_sql", "url_problem"]

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message says which and why."""


def alembic_config(url: str) -> Config:
    """An Alembic config that needs no alembic.ini, so an installed package can migrate itself."""
    from alembic.config import Config  # imported when needed: processes that only read start faster

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# `revision = "0010"` / `down_revision = "0009"` (or None, or a tuple of ids for a merge) at the
# start of a line of a migration file.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+)$", re.M)


def head_revision() -> str | None:
    """The newest migration's id, read from the migration files' text without importing Alembic
    (~0.2 s, most of what `status` would spend on "is the schema current"); None when there is
    not exactly one head, and the caller asks Alembic instead."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(m.groups() for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")))
        ids = re.findall(r"[\"']([^\"']+)[\"']", found.get("revision", ""))
        if len(ids) != 1:
            return None  # written some other way: let Alembic read it
        revisions.add(ids[0])
        parents.update(re.findall(r"[\"']([^\"']+)[\"']", found.get("down_revision", "")))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the web archive read while a crawl writes; busy_timeout rides out short locks.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # Story matching reads and writes LSH buckets all over a large index: a 64 MB page cache
    # and memory-mapped reads keep that off the disk path (bench/stories: ~25% faster at 50k).
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA mmap_size=268435456")
    cur.close()


SUPPORTED = ("sqlite", "postgresql")
_EXAMPLES = "sqlite:///newsradar.db or postgresql+psycopg://user@host/dbname"


def url_problem(url: str) -> str | None:
    """Why this URL cannot be opened here (unsupported database, driver not installed), or None.
    Checked before connecting, so a config with a wrong URL fails at load with a plain reason."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse text
        return f"{url!r} is not a database URL ({exc}); use {_EXAMPLES}"
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        return f"{backend} is not supported: use {_EXAMPLES}"
    try:
        parsed.get_dialect().import_dbapi()
    except ImportError as exc:
        driver = parsed.get_driver_name()
        if backend == "postgresql":
            return (
                f"the PostgreSQL driver {driver} is not installed: write postgresql+psycopg://... "
                "(psycopg 3 comes with newsradar), or pip install it"
            )
        return f"the {backend} driver {driver} is not installed ({exc.name or exc})"
    except Exception as exc:  # an unknown driver name: NoSuchModuleError
        return f"unknown driver in {url!r} ({exc}); use {_EXAMPLES}"
    return None


# libpq's own connection parameters: a server that stops answering (a cut link sends no FIN)
# fails a call within about half a minute instead of the kernel's 15+ minutes; the URL's query
# string overrides any of them.
PG_TIMEOUTS = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30000,
}


def _pg_timeouts(query: Any) -> dict[str, int]:
    return {k: v for k, v in PG_TIMEOUTS.items() if k not in query}


MIGRATION_LOCK = 0x6E65776D  # "newm": held (per transaction) while one process migrates


class Database:
    """An engine plus a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        problem = url_problem(url)
        if problem:
            raise DatabaseError(problem)
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            if not folder.exists():
                raise DatabaseError(f"database folder {folder} does not exist (url {url})")
        kwargs: dict = {"future": True}
        if not self.is_sqlite:
            kwargs.update(pool_pre_ping=True, connect_args=_pg_timeouts(parsed.query))
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def signing_key(self) -> bytes:
        """The signing key kept in this database (generated on first use; state.signing_key)."""
        from .state import signing_key

        with self.session() as session:
            return signing_key(session)

    def exists(self) -> bool:
        """False for a SQLite file not created yet (a server database is taken to exist)."""
        if not self.is_sqlite:
            return True
        name = self.engine.url.database
        return not name or name == ":memory:" or Path(name).exists()

    def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to call on every start (a current
        schema is recognised without importing Alembic)."""
        if self.is_current():
            return
        from alembic import command

        try:
            with self.engine.begin() as conn:
                if not self.is_sqlite:  # two daemons starting on an empty database: one migrates
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
                cfg = alembic_config(self.url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except SQLAlchemyError as exc:
            raise DatabaseError(f"cannot open or migrate database {self.url}: {exc}") from exc

    def is_current(self) -> bool:
        """True when the schema is at the newest revision (no pending migration)."""
        head = head_revision()
        if head is None:
            return self._alembic_is_current()
        try:
            with self.engine.connect() as conn:
                stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except SQLAlchemyError:  # no alembic_version table yet (a new database), or cannot connect
            return False  # migrate() then says why, if it cannot
        return stored == [head]

    def _alembic_is_current(self) -> bool:
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() == head

    def dispose(self) -> None:
        self.engine.dispose()


def raw_sql(conn: Connection, sql: str, params: Any = (), *, many: bool = False) -> Any:
    """Run plain SQL with ? placeholders on the session's connection, skipping SQL compilation.

    For the hot bookkeeping statements of a write (stories, counters): they touch only plain
    values, so no column type conversion is needed, and this halves the per-article cost against
    Core statements with expanding IN lists. Returns the DB-API cursor.
    """
    if conn.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    cursor = conn.connection.driver_connection.cursor()
    if many:
        cursor.executemany(sql, params)
    else:
        cursor.execute(sql, params)
    return cursor
